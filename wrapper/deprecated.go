package wrapper

import "context"

// The old names of renamed API, kept so that no caller's code breaks. Each
// does exactly what its new name does. The names follow one scheme (see
// "Names" in the package documentation): calls are verbs (Generate, Edit,
// Vary), their parameters and options are named after them (VaryParams,
// RunBatchOptions), and every returned image has Content, WriteFile and
// Decode ([OutputImage]).

// VariationParams is the old name of [VaryParams].
//
// Deprecated: use VaryParams.
type VariationParams = VaryParams

// BatchOptions is the old name of [RunBatchOptions].
//
// Deprecated: use RunBatchOptions.
type BatchOptions = RunBatchOptions

// OpVariation is the old name of [OpVary].
//
// Deprecated: use OpVary.
const OpVariation Operation = OpVary

// CreateVariation is the old name of [Client.Vary].
//
// Deprecated: use Vary.
func (c *Client) CreateVariation(ctx context.Context, p VaryParams, opts ...RequestOption) (*ImagesResponse, error) {
	return c.Vary(ctx, p, opts...)
}

// CheckVariation is the old name of [CheckVary].
//
// Deprecated: use CheckVary.
func CheckVariation(p VaryParams) error { return CheckVary(p) }

// Bytes is the old name of [GeneratedImage.Content].
//
// Deprecated: use Content.
func (img GeneratedImage) Bytes(ctx context.Context) ([]byte, error) { return img.Content(ctx) }

// Save is the old name of [GeneratedImage.WriteFile].
//
// Deprecated: use WriteFile.
func (img GeneratedImage) Save(ctx context.Context, path string) error {
	return img.WriteFile(ctx, path)
}

// SaveAll is the old name of [ImagesResponse.WriteFiles].
//
// Deprecated: use WriteFiles.
func (r *ImagesResponse) SaveAll(ctx context.Context, dir, prefix string) ([]string, error) {
	return r.WriteFiles(ctx, dir, prefix)
}

// SaveTo is the old name of [ImageStream.WriteFiles].
//
// Deprecated: use WriteFiles.
func (s *ImageStream) SaveTo(dir, prefix string, onSaved func(ev StreamEvent, path string)) ([]string, error) {
	return s.WriteFiles(dir, prefix, onSaved)
}

// Bytes returns the partial image's bytes.
//
// Deprecated: use Content, which every [OutputImage] has.
func (e *PartialImageEvent) Bytes() ([]byte, error) { return e.Content(context.Background()) }

// Bytes returns the final image's bytes.
//
// Deprecated: use Content, which every [OutputImage] has.
func (e *CompletedEvent) Bytes() ([]byte, error) { return e.Content(context.Background()) }

// Bytes returns the image's bytes.
//
// Deprecated: use Content, which every [OutputImage] has.
func (t TurnImage) Bytes() ([]byte, error) { return t.Content(context.Background()) }

// Save writes the image to path atomically.
//
// Deprecated: use WriteFile, which every [OutputImage] has.
func (t TurnImage) Save(path string) error { return t.WriteFile(context.Background(), path) }
