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

// CheckGenerate is the package's [CheckGenerate] as this client judges p
// before sending it: with its view of the models (on Azure, the model each
// deployment runs, and a deployment required) and the retirements it
// refuses ([WithRetiredModels]). It sends nothing.
func (c *Client) CheckGenerate(p GenerateParams, stream bool) error {
	if err := c.checkRoute(p.Model); err != nil {
		return err
	}
	return validateGenerate(&p, stream, c.policy())
}

// CheckEdit is [CheckEdit] as this client judges p (see
// [Client.CheckGenerate]).
func (c *Client) CheckEdit(p EditParams, stream bool) error {
	if err := c.checkRoute(p.Model); err != nil {
		return err
	}
	return validateEdit(&p, stream, c.policy())
}

// CheckVary is [CheckVary] as this client judges p (see
// [Client.CheckGenerate]).
func (c *Client) CheckVary(p VaryParams) error {
	if err := c.checkRoute(p.Model); err != nil {
		return err
	}
	return validateVariation(&p, c.policy())
}

// checkRoute fails when an Azure client has no deployment for model.
func (c *Client) checkRoute(model Model) error {
	if c.cfg.azure == nil {
		return nil
	}
	_, err := c.cfg.azure.route(model, "model")
	return err
}
