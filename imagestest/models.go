package imagestest

import (
	"fmt"
	"net/http"
	"regexp"
	"strings"

	"github.com/imagegen-go/openai-images/wrapper"
)

// The emulator knows the models of the wrapper's capability table, through
// its lookup functions ([wrapper.LookupModel], [wrapper.ModelsSupporting]),
// and refuses the others as the API does. Models OpenAI has retired by the
// emulator's clock ([wrapper.ModelInfo.RetiredAt]: dall-e-2, dall-e-3 and
// gpt-image-1), and the variations endpoint, are refused as well, unless
// [AllowRetiredModels] is given.

// AllowRetiredModels makes the emulator serve the models OpenAI has retired
// (dall-e-2, dall-e-3, gpt-image-1) with the rules they had, and the retired
// variations endpoint, as an OpenAI-compatible server may still do. By
// default the emulator answers them as OpenAI's API does now: 400, param
// model, code model_not_found, with the retirement date and the
// replacements. Use it to test code written for such a server.
func AllowRetiredModels() Option { return func(e *Emulator) { e.allowRetired = true } }

// RefuseRetiredModels is the default now.
//
// Deprecated: the emulator refuses retired models unless
// [AllowRetiredModels] is given; this option changes nothing.
func RefuseRetiredModels() Option { return func(*Emulator) {} }

// deprecationsURL is where the API's messages about retired models point.
const deprecationsURL = "https://developers.openai.com/api/docs/deprecations"

// retiredAnswer is the answer to a model OpenAI has retired: 400
// invalid_request_error naming the parameter, code model_not_found (the
// API's code for a model that was shut down: "The model `text-davinci-003`
// has been deprecated, learn more here: ...", openai/openai-quickstart-node
// #127), with the date and the replacements of npm openai 7.59.0
// src/resources/images.ts ImageModel ("GPT Image 1 was shut down on October
// 23, 2026. Use gpt-image-2.5-sunburst or gpt-image-2.5-flare instead.";
// dall-e-2, dall-e-3: "This model was retired on May 12, 2026.").
func retiredAnswer(info wrapper.ModelInfo, param string) apiAnswer {
	return apiAnswer{param, "model_not_found", fmt.Sprintf("The model `%s` was retired on %s and is no longer available. Use %s instead. Learn more here: %s",
		info.Model, info.Retirement.Format("January 2, 2006"), replacements(info.Replacements), deprecationsURL)}
}

func replacements(ms []wrapper.Model) string {
	if len(ms) == 0 {
		return "a GPT image model"
	}
	names := make([]string, len(ms))
	for i, m := range ms {
		names[i] = string(m)
	}
	if len(names) == 2 {
		return names[0] + " or " + names[1]
	}
	return strings.Join(names, ", ")
}

// variationsRetired answers a request to the variations endpoint, which
// OpenAI retired with dall-e-2, its only model, unless retired models are
// allowed; it reports whether the request may go on. Source: npm openai
// 7.59.0 src/resources/images.ts Images.createVariation: "This endpoint is
// retired and no longer available. Use the image edits endpoint with a GPT
// Image model and a prompt to create a variation of an image."
func (e *Emulator) variationsRetired(w http.ResponseWriter) bool {
	info, ok := wrapper.LookupModel(wrapper.ModelDallE2)
	if e.servesRetired() || !ok || !info.RetiredAt(e.now()) {
		return true
	}
	apiError(w, http.StatusBadRequest, "invalid_request_error", "model", "model_not_found",
		fmt.Sprintf("The image variations endpoint (POST /v1/images/variations) was retired on %s with dall-e-2, its only model, and is no longer available. "+
			"Use the image edits endpoint with a GPT Image model (such as %s) and a prompt to create a variation of an image. Learn more here: %s",
			info.Retirement.Format("January 2, 2006"), replacements(info.Replacements), deprecationsURL))
	return false
}

// served reports whether the emulator serves the model now: known, and not
// retired unless retired models are allowed.
func (e *Emulator) served(info wrapper.ModelInfo) bool {
	return e.servesRetired() || !info.RetiredAt(e.now())
}

// servesRetired reports whether OpenAI's retirements are ignored: with
// AllowRetiredModels, and as an Azure resource, where they do not apply
// (Azure's own schedule is not emulated: its docs say a retired model's
// deployments answer errors, not which).
func (e *Emulator) servesRetired() bool { return e.allowRetired || e.azure != nil }

// supportedModels lists the models the emulator serves for op (with
// gptOnly, the GPT image models only), for messages.
func (e *Emulator) supportedModels(op wrapper.Operation, gptOnly bool) []string {
	var names []string
	for _, m := range wrapper.ModelsSupporting(op) {
		if (!gptOnly || m.GPTImage) && e.served(m) {
			names = append(names, string(m.Model))
		}
	}
	return names
}

// modelsFor returns supportedModels(op), computed when an answer needs it.
func (e *Emulator) modelsFor(op wrapper.Operation) func() []string {
	return func() []string { return e.supportedModels(op, false) }
}

// checkModel answers a model the API would refuse and reports whether the
// request may go on, with the model's table entry (nil when no model was
// given: the API's default then applies). param is where the model was
// given ("model", or "tools[0].model" in the Responses API); op is what the
// call does, for the list of supported values.
//
// An unknown model gets 400 invalid_value with the API's wording, "Invalid
// value: 'x'. Supported values are: 'a', 'b', and 'c'." (the Images API's
// answer for model "bad model", as recorded in client test suites). A
// retired one gets retiredAnswer, unless retired models are allowed.
func (e *Emulator) checkModel(w http.ResponseWriter, model, param string, op wrapper.Operation, gptOnly bool) (*wrapper.ModelInfo, bool) {
	if model == "" {
		return nil, true
	}
	info, ok := wrapper.LookupModel(wrapper.Model(model))
	if !ok {
		apiError(w, http.StatusBadRequest, "invalid_request_error", param, "invalid_value",
			fmt.Sprintf("Invalid value: '%s'. Supported values are: %s.", clipValue(model), quote(e.supportedModels(op, gptOnly))))
		return nil, false
	}
	if !e.served(info) {
		a := retiredAnswer(info, param)
		apiError(w, http.StatusBadRequest, "invalid_request_error", a.param, a.code, a.msg)
		return nil, false
	}
	return &info, true
}

// responsesModel matches the names of the text models the Responses API
// takes, by family, so that a model released tomorrow in a known family is
// not refused: gpt-*, chatgpt-*, o1, o3, o4-mini..., codex-*, computer-use-*.
var responsesModel = regexp.MustCompile(`^(gpt-|chatgpt-|o\d|codex-|computer-use-)`)

// checkResponsesModel answers a Responses API model outside the known
// families as the API answers an unknown model there: 400 model_not_found,
// "The requested model 'x' does not exist."
func checkResponsesModel(w http.ResponseWriter, model string) bool {
	if responsesModel.MatchString(model) {
		return true
	}
	apiError(w, http.StatusBadRequest, "invalid_request_error", "model", "model_not_found",
		fmt.Sprintf("The requested model '%s' does not exist.", clipValue(model)))
	return false
}

// oxfordList joins items as the API's messages do: "a", "a and b",
// "a, b, and c".
func oxfordList(items []string) string {
	switch len(items) {
	case 0:
		return "none"
	case 1:
		return items[0]
	case 2:
		return items[0] + " and " + items[1]
	}
	return strings.Join(items[:len(items)-1], ", ") + ", and " + items[len(items)-1]
}

// clipValue bounds a value quoted back in a message.
func clipValue(s string) string {
	if len(s) > 64 {
		return s[:64] + "..."
	}
	return s
}
