package wrapper_test

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"

	"github.com/imagegen-go/openai-images/wrapper"
)

// List the models a user interface can offer for xhigh-quality generations,
// leaving out dated snapshots and retired models.
func ExampleModels() {
	for _, m := range wrapper.Models() {
		if m.Supports(wrapper.OpGenerate) && m.SnapshotOf == "" && m.Retirement.IsZero() &&
			slices.Contains(m.Qualities, wrapper.QualityXHigh) {
			fmt.Println(m.Model)
		}
	}
	// Output:
	// gpt-image-2.5-sunburst
	// gpt-image-2.5-flare
}

// Offer only the choices a model accepts.
func ExampleLookupModel() {
	m, ok := wrapper.LookupModel(wrapper.ModelGPTImage25Sunburst)
	if !ok {
		return
	}
	fmt.Println("qualities:", m.Qualities)
	fmt.Println("formats:", m.OutputFormats)
	fmt.Println("custom sizes:", m.SupportsCustomSize(), m.AllowsSize(wrapper.CustomSize(1536, 864)), m.AllowsSize("1000x1000"))
	fmt.Println("markup:", m.Markup.MaxCount > 0)

	old, _ := wrapper.ModelDallE3.Info()
	fmt.Println("dall-e-3 retired:", old.Retirement.Format("2006-01-02"), "use:", old.Replacements)

	_, ok = wrapper.LookupModel("my-local-model")
	fmt.Println("unknown model known:", ok)
	// Output:
	// qualities: [auto low medium high xhigh max]
	// formats: [png jpeg webp gif svg]
	// custom sizes: true true false
	// markup: true
	// dall-e-3 retired: 2026-05-12 use: [gpt-image-2.5-sunburst gpt-image-2.5-flare]
	// unknown model known: false
}

// Invalid parameters are reported together, before anything is sent.
func ExampleValidationError() {
	client, err := wrapper.New(wrapper.WithAPIKey("sk-example"), wrapper.WithBaseURL("http://127.0.0.1:1"))
	if err != nil {
		return
	}
	_, err = client.Generate(context.Background(), wrapper.GenerateParams{
		Model:        wrapper.ModelGPTImage26Flare,
		Prompt:       "A lighthouse at dusk",
		Size:         wrapper.CustomSize(1536, 864),
		Quality:      wrapper.QualityMax,
		OutputFormat: wrapper.OutputFormatSVG,
		N:            2,
	})
	var ve *wrapper.ValidationError
	if errors.As(err, &ve) {
		for _, p := range ve.Problems {
			fmt.Printf("%s=%s: %s\n", p.Field, p.Value, p.Rule)
			fmt.Println("  allowed:", p.Allowed)
		}
		fmt.Println(strings.HasPrefix(err.Error(), "openai-images: invalid parameters: "))
	}
	// Output:
	// n=2: SVG output requires n=1
	//   allowed: 1
	// size=1536x864: gpt-image-2.6-flare does not support size 1536x864
	//   allowed: auto, 1024x1024, 1536x1024, 1024x1536
	// quality=max: gpt-image-2.6-flare does not support quality max
	//   allowed: auto, low, medium, high
	// true
}
