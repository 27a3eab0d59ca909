package wrapper

import (
	"fmt"
	"regexp"
	"strings"
	"time"
)

// policy is what validation knows beyond the parameters: whether the client
// talks to OpenAI's own API, where retired models are refused, or to Azure.
type policy struct {
	// refuseRetired refuses the models (and the variations endpoint)
	// OpenAI has retired by now on its own API; on Azure, the models Azure
	// has retired.
	refuseRetired bool
	now           time.Time
	// azure, when set, says which model a call's deployment runs.
	azure *azureConfig
}

// resolveModel finds the table entry of a call's model. It reports false
// when the call names no model or one the table does not know; then only
// the universal checks apply. A name within a small edit distance of a known
// model that does not look like a new member of a model family is refused
// as a typo, with the model it probably meant; on OpenAI's own API a
// retired model is refused with its retirement date and replacements.
func (c *checker) resolveModel(model Model, pol policy) (target, bool) {
	if pol.azure != nil {
		return c.resolveAzureModel(model, pol)
	}
	if model == "" {
		return target{}, false
	}
	m := lookupModel(model)
	if m == nil {
		if near, ok := SuggestModel(model); ok {
			c.add("model", string(model), fmt.Sprintf("unknown model %s; did you mean %s?", model, near),
				"a model of Models(), or any new model name (models the table does not know get only the universal checks)")
		}
		return target{}, false
	}
	if pol.refuseRetired && m.RetiredAt(pol.now) {
		c.add("model", string(model), fmt.Sprintf("OpenAI retired %s on %s; its API no longer serves it", model, m.Retirement.Format("2006-01-02")),
			retiredAllowed(m.Replacements))
	}
	return target{m: m, label: string(model)}, true
}

// resolveAzureModel finds the table entry of the model an Azure call's
// deployment runs. A deployment whose model the client does not know gets
// the universal checks only, and its name is never taken for a typo of a
// model's: deployments have names of their own. Azure's retirements apply
// only when WithRetiredModels(false) asks for them.
func (c *checker) resolveAzureModel(model Model, pol policy) (target, bool) {
	name := pol.azure.modelFor(model)
	m := lookupModel(name)
	if m == nil {
		return target{}, false
	}
	label := string(name)
	if dep := pol.azure.deploymentFor(model); dep != "" && dep != string(name) {
		label += " (deployment " + dep + ")"
	}
	if pol.refuseRetired && m.AzureRetiredAt(pol.now) {
		c.add("model", string(model), fmt.Sprintf("Azure OpenAI retired %s on %s; its deployments answer only errors", name, m.AzureRetirement.Format("2006-01-02")),
			retiredAllowed(m.AzureReplacements))
	}
	return target{m: m, label: label}, true
}

func retiredAllowed(replacements []Model) string {
	var b strings.Builder
	if len(replacements) > 0 {
		b.WriteString(joinValues(replacements))
		b.WriteString("; or ")
	}
	b.WriteString("WithRetiredModels(true) to send it anyway (an OpenAI-compatible server may serve it)")
	return b.String()
}

// familyPattern parses the names of the GPT image families:
// gpt-image-VERSION[-name...][-YYYY-MM-DD] and chatgpt-image-NAME.
var familyPattern = regexp.MustCompile(`^(?:gpt-image-(\d+(?:\.\d+)?)((?:-[a-z][a-z0-9]*)*)(-\d{4}-\d{2}-\d{2})?|chatgpt-image-([a-z0-9][a-z0-9.]*))$`)

type familyName struct{ version, name string }

func parseFamily(s string) (familyName, bool) {
	m := familyPattern.FindStringSubmatch(s)
	switch {
	case m == nil:
		return familyName{}, false
	case m[4] != "":
		return familyName{"chatgpt", m[4]}, true
	}
	return familyName{m[1], m[2]}, true
}

// plausibleNew reports whether name looks like a new member of a model
// family rather than a typo: a version the table does not have
// (gpt-image-2.7-nova, gpt-image-3), a new dated snapshot of a known model,
// or a new variant whose name is not a near miss of a known variant of the
// same version (gpt-image-2.5-nova, but not gpt-image-2.5-sunbust).
func plausibleNew(name string) bool {
	f, ok := parseFamily(name)
	if !ok {
		return false
	}
	for i := range modelTable {
		k, ok := parseFamily(string(modelTable[i].Model))
		if !ok || k.version != f.version || k.name == f.name {
			continue
		}
		if levenshtein(k.name, f.name) <= 4 {
			return false
		}
	}
	return true
}

// SuggestModel returns the known model name is probably a typo of: one
// within an edit distance of 2 (1 for names of 8 characters or fewer), when
// name is not a known model and does not look like a new member of a model
// family (gpt-image-2.7-nova, gpt-image-3, a new dated snapshot and
// chatgpt-image-next are never taken for typos, so that a model released
// tomorrow is never blocked). Letter case counts as a typo.
func SuggestModel(name Model) (Model, bool) {
	s := string(name)
	if lookupModel(name) != nil || plausibleNew(s) {
		return "", false
	}
	// Distances in half edits: a substitution of look-alike characters
	// (l and 1, o and 0) costs a half, so that gpt-image-l means
	// gpt-image-1, not gpt-image-2.
	limit := 4
	if len(s) <= 8 {
		limit = 2
	}
	best, bestDist := Model(""), limit+1
	for i := range modelTable {
		if d := levenshtein(strings.ToLower(s), string(modelTable[i].Model)); d < bestDist {
			best, bestDist = modelTable[i].Model, d
		}
	}
	return best, best != ""
}

// lookAlike reports whether two bytes are easily taken for each other.
func lookAlike(a, b byte) bool {
	pair := string([]byte{min(a, b), max(a, b)})
	return pair == "1l" || pair == "1i" || pair == "0o"
}

// levenshtein is the edit distance of two strings, in bytes, counted in
// half edits: an insertion, a deletion or a substitution costs 2, a
// substitution of look-alike characters 1.
func levenshtein(a, b string) int {
	prev := make([]int, len(b)+1)
	cur := make([]int, len(b)+1)
	for j := range prev {
		prev[j] = 2 * j
	}
	for i := 1; i <= len(a); i++ {
		cur[0] = 2 * i
		for j := 1; j <= len(b); j++ {
			cost := 2
			switch {
			case a[i-1] == b[j-1]:
				cost = 0
			case lookAlike(a[i-1], b[j-1]):
				cost = 1
			}
			cur[j] = min(prev[j]+2, cur[j-1]+2, prev[j-1]+cost)
		}
		prev, cur = cur, prev
	}
	return prev[len(b)]
}
