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
// and refuses the others as the API does.

// RefuseRetiredModels makes the emulator answer a request naming a model
// that OpenAI has retired by the emulator's clock ([wrapper.ModelInfo.RetiredAt])
// as the API answers a retired model: 404 model_not_found. By default
// retired models are served, as OpenAI-compatible servers may still serve
// them.
func RefuseRetiredModels() Option { return func(e *Emulator) { e.refuseRetired = true } }

// checkModel answers a model the API would refuse and reports whether the
// request may go on. param is where the model was given ("model", or
// "tools[0].model" in the Responses API); op is what the call does, for the
// list of supported values. An empty model (the API's default) passes.
//
// An unknown model gets 400 invalid_value with the API's wording, "Invalid
// value: 'x'. Supported values are: 'a', 'b', and 'c'." (the Images API's
// answer for model "bad model", as recorded in client test suites).
func (e *Emulator) checkModel(w http.ResponseWriter, model, param string, op wrapper.Operation, gptOnly bool) bool {
	if model == "" {
		return true
	}
	info, ok := wrapper.LookupModel(wrapper.Model(model))
	if !ok {
		var names []string
		for _, m := range wrapper.ModelsSupporting(op) {
			if !gptOnly || m.GPTImage {
				names = append(names, "'"+string(m.Model)+"'")
			}
		}
		apiError(w, http.StatusBadRequest, "invalid_request_error", param, "invalid_value",
			fmt.Sprintf("Invalid value: '%s'. Supported values are: %s.", clipValue(model), oxfordList(names)))
		return false
	}
	if e.refuseRetired && info.RetiredAt(e.now()) {
		// The API's wording for a retired model.
		apiError(w, http.StatusNotFound, "invalid_request_error", param, "model_not_found",
			fmt.Sprintf("The model `%s` has been deprecated, learn more here: https://platform.openai.com/docs/deprecations", model))
		return false
	}
	return true
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
