package wrapper

// CheckGenerate reports, as a *ValidationError, every problem Generate
// (stream false) or GenerateStream (stream true) would find in p, without
// sending anything. A UI can use it to check a form; the offline emulator
// uses it to answer like the API.
func CheckGenerate(p GenerateParams, stream bool) error {
	return validateGenerate(&p, stream, policy{})
}

// CheckEdit reports every problem Edit or EditStream would find in p. It
// reads the images' headers (not their pixels).
func CheckEdit(p EditParams, stream bool) error { return validateEdit(&p, stream, policy{}) }

// CheckVary reports every problem Vary would find in p.
func CheckVary(p VaryParams) error { return validateVariation(&p, policy{}) }
