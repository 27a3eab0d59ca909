package wrapper

// Placeholder hooks; the model-aware validation replaces this file.

func validateGenerate(p *GenerateParams, stream bool) error { return nil }

func validateEdit(p *EditParams, stream bool) error { return nil }

func validateVariation(p *VariationParams) error { return nil }
