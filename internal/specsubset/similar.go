package specsubset

import (
	"slices"
	"sort"
	"strings"

	"gopkg.in/yaml.v3"

	"github.com/imagegen-go/openai-images/internal/yamlnode"
)

// similarSchemas suggests, for each missing schema name, the upstream
// schemas it may have been renamed to: those whose properties match the
// missing schema's in the previous subset (when given), and those whose
// names are close. Best matches first, at most three.
func similarSchemas(components *yaml.Node, missing []string, previous []byte) map[string][]string {
	schemas := yamlnode.Lookup(components, "schemas")
	if schemas == nil {
		return nil
	}
	var prevSchemas *yaml.Node
	if len(previous) > 0 {
		var doc yaml.Node
		if yaml.Unmarshal(previous, &doc) == nil && len(doc.Content) == 1 {
			prevSchemas = yamlnode.Lookup(yamlnode.Lookup(doc.Content[0], "components"), "schemas")
		}
	}
	out := map[string][]string{}
	for _, name := range missing {
		want := propertyNames(yamlnode.Lookup(prevSchemas, name))
		type cand struct {
			name  string
			score float64
		}
		var cands []cand
		for i := 0; i+1 < len(schemas.Content); i += 2 {
			other := schemas.Content[i].Value
			score := 0.0
			if len(want) > 0 {
				if j := jaccard(want, propertyNames(schemas.Content[i+1])); j >= 0.6 {
					score = 1 + j
				}
			}
			if d := nameSimilarity(name, other); d >= 0.75 && d > score {
				score = d
			}
			if score > 0 {
				cands = append(cands, cand{other, score})
			}
		}
		sort.SliceStable(cands, func(i, j int) bool { return cands[i].score > cands[j].score })
		for i := 0; i < len(cands) && i < 3; i++ {
			out[name] = append(out[name], cands[i].name)
		}
	}
	return out
}

func propertyNames(schema *yaml.Node) []string {
	props := yamlnode.Lookup(schema, "properties")
	if props == nil {
		return nil
	}
	var names []string
	for i := 0; i+1 < len(props.Content); i += 2 {
		names = append(names, props.Content[i].Value)
	}
	slices.Sort(names)
	return names
}

// jaccard is |a ∩ b| / |a ∪ b| of two sorted sets.
func jaccard(a, b []string) float64 {
	if len(a) == 0 || len(b) == 0 {
		return 0
	}
	inter := 0
	for _, v := range a {
		if _, ok := slices.BinarySearch(b, v); ok {
			inter++
		}
	}
	return float64(inter) / float64(len(a)+len(b)-inter)
}

// nameSimilarity is 1 - editDistance/len of the case-folded names.
func nameSimilarity(a, b string) float64 {
	a, b = strings.ToLower(a), strings.ToLower(b)
	n := max(len(a), len(b))
	if n == 0 {
		return 0
	}
	return 1 - float64(editDistance(a, b))/float64(n)
}

// editDistance is the Levenshtein distance between two strings of bytes.
func editDistance(a, b string) int {
	prev := make([]int, len(b)+1)
	cur := make([]int, len(b)+1)
	for j := range prev {
		prev[j] = j
	}
	for i := 1; i <= len(a); i++ {
		cur[0] = i
		for j := 1; j <= len(b); j++ {
			cost := 1
			if a[i-1] == b[j-1] {
				cost = 0
			}
			cur[j] = min(prev[j]+1, cur[j-1]+1, prev[j-1]+cost)
		}
		prev, cur = cur, prev
	}
	return prev[len(b)]
}
