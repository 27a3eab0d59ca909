package wrapper_test

import (
	"context"
	"errors"
	"fmt"
	"strings"

	"github.com/imagegen-go/openai-images/wrapper"
)

// List the models a user interface can offer for streamed generations.
func ExampleModels() {
	for _, m := range wrapper.Models() {
		if m.Supports(wrapper.OpGenerateStream) {
			fmt.Println(m.Model)
		}
	}
	// Output:
	// gpt-image-1
	// gpt-image-1-mini
	// gpt-image-1.5
	// gpt-image-2
	// gpt-image-2-2026-04-21
}

// Offer only the choices a model accepts.
func ExampleLookupModel() {
	m, ok := wrapper.LookupModel(wrapper.ModelDallE3)
	if !ok {
		return
	}
	fmt.Println("sizes:", m.Sizes)
	fmt.Println("qualities:", m.Qualities)
	fmt.Println("styles:", m.Styles)
	fmt.Println("max n:", m.MaxN)
	fmt.Println("edits:", m.Supports(wrapper.OpEdit))
	fmt.Println("retired:", m.Retirement.Format("2006-01-02"))

	g2, _ := wrapper.ModelGPTImage2.Info()
	fmt.Println("gpt-image-2 custom sizes:", g2.SupportsCustomSize(), g2.AllowsSize(wrapper.CustomSize(1536, 864)), g2.AllowsSize("1000x1000"))

	_, ok = wrapper.LookupModel("my-local-model")
	fmt.Println("unknown model known:", ok)
	// Output:
	// sizes: [1024x1024 1792x1024 1024x1792]
	// qualities: [auto standard hd]
	// styles: [vivid natural]
	// max n: 1
	// edits: false
	// retired: 2026-05-12
	// gpt-image-2 custom sizes: true true false
	// unknown model known: false
}

// Invalid parameters are reported together, before anything is sent.
func ExampleValidationError() {
	client, err := wrapper.New(wrapper.WithAPIKey("sk-example"), wrapper.WithBaseURL("http://127.0.0.1:1"))
	if err != nil {
		return
	}
	_, err = client.Generate(context.Background(), wrapper.GenerateParams{
		Model:  wrapper.ModelDallE3,
		Prompt: "A lighthouse at dusk",
		N:      2,
		Size:   wrapper.Size1536x1024,
		Style:  "dramatic",
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
	// n=2: dall-e-3 supports only n=1
	//   allowed: 1
	// size=1536x1024: dall-e-3 does not support size 1536x1024
	//   allowed: 1024x1024, 1792x1024, 1024x1792
	// style=dramatic: dall-e-3 does not support style dramatic
	//   allowed: vivid, natural
	// true
}
