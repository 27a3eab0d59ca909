package specdrift

import (
	"bytes"
	"fmt"
	"os"
	"slices"
	"sort"
	"strings"

	"gopkg.in/yaml.v3"

	"github.com/imagegen-go/openai-images/internal/overlay"
	"github.com/imagegen-go/openai-images/internal/specsubset"
)

// Config is surface.yaml: where the handwritten code learns each part of the
// surface, and what it deliberately does not map.
type Config struct {
	// Places maps a location key ("createImage request", "event",
	// "schema ImageGenTool", "model", "value", ...) to the handwritten
	// place that maps it, as a reader should be told.
	Places map[string]string `yaml:"places"`
	// Unmapped lists the parts of the surface the handwritten code leaves
	// alone on purpose, each with its reason.
	Unmapped []Unmapped `yaml:"unmapped"`
}

// Unmapped is one part of the surface that is deliberately not mapped.
type Unmapped struct {
	// Location is a location key ("createImage request application/json").
	Location string `yaml:"location"`
	// Property is a property path; empty for the whole location.
	Property string `yaml:"property"`
	// Value is an enum value or model of the property; empty for the
	// property itself.
	Value  string `yaml:"value"`
	Reason string `yaml:"reason"`
}

// LoadConfig reads surface.yaml; a missing file is an empty configuration.
func LoadConfig(path string) (*Config, error) {
	data, err := os.ReadFile(path)
	if os.IsNotExist(err) {
		return &Config{}, nil
	}
	if err != nil {
		return nil, err
	}
	return ParseConfig(data)
}

// ParseConfig parses surface.yaml and checks that every unmapped entry says
// why.
func ParseConfig(data []byte) (*Config, error) {
	var c Config
	dec := yaml.NewDecoder(bytes.NewReader(data))
	dec.KnownFields(true)
	if err := dec.Decode(&c); err != nil {
		return nil, fmt.Errorf("surface.yaml: %w", err)
	}
	for _, u := range c.Unmapped {
		if strings.TrimSpace(u.Reason) == "" || u.Location == "" {
			return nil, fmt.Errorf("surface.yaml: unmapped entry %+v needs a location and a reason", u)
		}
	}
	return &c, nil
}

// Place says where the handwritten code maps something at loc ("" when
// surface.yaml does not say).
func (c *Config) Place(loc *Location) string {
	if c == nil {
		return ""
	}
	for _, k := range []string{loc.Operation + " " + loc.Kind, loc.Key, loc.Kind} {
		if p, ok := c.Places[k]; ok {
			return p
		}
	}
	return ""
}

// PlaceFor returns the place of a category key ("model", "value").
func (c *Config) PlaceFor(key string) string {
	if c == nil {
		return ""
	}
	return c.Places[key]
}

// IsUnmapped returns the reason a part of the surface is not mapped, if it
// is listed: the whole location, the property (and what is nested in it),
// or one of its values.
func (c *Config) IsUnmapped(location, property, value string) (string, bool) {
	if i, ok := c.Match(location, property, value); ok {
		return c.Unmapped[i].Reason, true
	}
	return "", false
}

// Match returns the index of the first Unmapped entry that covers a part of
// the surface.
func (c *Config) Match(location, property, value string) (int, bool) {
	if c == nil {
		return 0, false
	}
	for i, u := range c.Unmapped {
		if u.Location != location {
			continue
		}
		nested := strings.HasPrefix(property, u.Property+".") || strings.HasPrefix(property, u.Property+"[]")
		if u.Property == "" || nested && u.Value == "" || u.Property == property && (u.Value == "" || u.Value == value) {
			return i, true
		}
	}
	return 0, false
}

// Options configure [Compare].
type Options struct {
	// Pins are applied to both documents before comparing, so that a
	// renamed pinned schema reads as a rename, not as a removal and an
	// addition.
	Pins []specsubset.Pin
	// Newer is the overlay of newer-than-spec facts: the report lists the
	// actions the new document makes redundant.
	Newer *overlay.Document
	// Places says where each change must be learned.
	Places *Config
}

// Change is one difference in the surface.
type Change struct {
	// Section groups changes in the report: "Operations", "Models",
	// "Values", "Request properties", "Response properties", "Stream
	// events", "Schemas", "Newer-than-spec facts".
	Section string
	// Sign is "+" (added upstream), "-" (removed), "~" (renamed) or "="
	// (a newer-than-spec fact now upstream).
	Sign string
	// What describes the change.
	What string
	// Place is where the handwritten code must learn it.
	Place string
}

// Report is the drift between two versions of the surface.
type Report struct {
	From, To string // version (sha256 prefix)
	Changes  []Change
}

var sections = []string{"Operations", "Models", "Values", "Request properties", "Response properties", "Stream events", "Schemas", "Newer-than-spec facts"}

// String renders the report as plain text, for a terminal or a pull request.
func (r *Report) String() string {
	var b strings.Builder
	fmt.Fprintf(&b, "spec drift: %s -> %s\n", r.From, r.To)
	if len(r.Changes) == 0 {
		b.WriteString("no change to the surface the handwritten code uses\n")
		return b.String()
	}
	fmt.Fprintf(&b, "%d change(s); each names the handwritten place that must learn it (or list it in surface.yaml as unmapped, with a reason)\n", len(r.Changes))
	for _, sec := range sections {
		first := true
		for _, c := range r.Changes {
			if c.Section != sec {
				continue
			}
			if first {
				fmt.Fprintf(&b, "\n%s\n", sec)
				first = false
			}
			fmt.Fprintf(&b, "  %s %s\n", c.Sign, c.What)
			if c.Place != "" {
				fmt.Fprintf(&b, "      -> %s\n", c.Place)
			}
		}
	}
	return b.String()
}

// Compare reports how the surface of the subset next differs from that of
// current (either may be nil: an empty document).
func Compare(current, next []byte, opts Options) (*Report, error) {
	prep := func(doc []byte) (*Surface, *specsubset.EffectiveResult, error) {
		if len(doc) == 0 {
			return &Surface{Operations: map[string]string{}, Locations: map[string]*Location{}, Events: map[string]string{}}, nil, nil
		}
		res, err := specsubset.Effective(doc, opts.Pins, nil)
		if err != nil {
			return nil, nil, err
		}
		s, err := Describe(res.Document)
		if err != nil {
			return nil, nil, err
		}
		// The note of the subset, before Effective rewrote info.
		if orig, err := Describe(doc); err == nil {
			s.Version, s.SHA256 = orig.Version, orig.SHA256
		}
		return s, res, nil
	}
	a, ares, err := prep(current)
	if err != nil {
		return nil, fmt.Errorf("current openapi.yaml: %w", err)
	}
	b, bres, err := prep(next)
	if err != nil {
		return nil, fmt.Errorf("new subset: %w", err)
	}
	r := &Report{From: label(a), To: label(b)}
	places := opts.Places
	add := func(c Change) { r.Changes = append(r.Changes, c) }
	var models modelChanges

	for _, id := range sortedUnion(keys(a.Operations), keys(b.Operations)) {
		switch oa, ob := a.Operations[id], b.Operations[id]; {
		case oa == "":
			add(Change{"Operations", "+", id + " (" + ob + ")", "specsubset.yaml lists it: give it a wrapper method or remove it from the list"})
		case ob == "":
			add(Change{"Operations", "-", id + " (" + oa + ")", "the wrapper methods that call it"})
		case oa != ob:
			add(Change{"Operations", "~", id + ": " + oa + " is now " + ob, "check the generated client's callers"})
		}
	}

	for _, key := range sortedUnion(keys(a.Locations), keys(b.Locations)) {
		la, lb := a.Locations[key], b.Locations[key]
		loc := lb
		if loc == nil {
			loc = la
		}
		section := propertySection(loc)
		if la == nil {
			if loc.Kind == "event" {
				add(Change{"Stream events", "+", key[len("event "):] + " (new event type)", places.Place(loc)})
			} else {
				add(Change{section, "+", key + " (new)", places.Place(loc)})
			}
			continue
		}
		if lb == nil {
			if loc.Kind == "event" {
				add(Change{"Stream events", "-", key[len("event "):] + " (event type removed)", places.Place(loc)})
			} else {
				add(Change{section, "-", key + " (removed)", places.Place(loc)})
			}
			continue
		}
		for _, path := range sortedUnion(lb.Paths(), la.Paths()) {
			pa, pb := la.Properties[path], lb.Properties[path]
			switch {
			case pa == nil:
				add(Change{section, "+", key + ": " + path, places.Place(loc)})
				continue
			case pb == nil:
				add(Change{section, "-", key + ": " + path, places.Place(loc)})
				continue
			}
			if pb.IsModel() {
				for _, v := range pb.Enum {
					if !slices.Contains(pa.Enum, v) {
						models.add("+", v, key)
					}
				}
				for _, v := range pa.Enum {
					if !slices.Contains(pb.Enum, v) {
						models.add("-", v, key)
					}
				}
				continue
			}
			sec, place := "Values", joinPlaces(places.PlaceFor("value"), places.Place(loc))
			for _, v := range pb.Enum {
				if !slices.Contains(pa.Enum, v) {
					add(Change{sec, "+", fmt.Sprintf("%s %s: %s", key, path, v), place})
				}
			}
			for _, v := range pa.Enum {
				if !slices.Contains(pb.Enum, v) {
					add(Change{sec, "-", fmt.Sprintf("%s %s: %s", key, path, v), place})
				}
			}
			if pa.Open != pb.Open {
				what := "now takes any string besides its enum"
				if !pb.Open {
					what = "no longer takes values outside its enum"
				}
				add(Change{sec, "~", fmt.Sprintf("%s %s %s", key, path, what), place})
			}
		}
	}

	for _, m := range models.list {
		add(Change{"Models", m.sign, fmt.Sprintf("%s (%s)", m.model, strings.Join(m.where, "; ")), places.PlaceFor("model")})
	}

	if ares != nil && bres != nil {
		upstreamName := func(r *specsubset.EffectiveResult, pin string) string {
			name, renamed := r.Renamed[pin]
			switch {
			case !renamed:
				return pin
			case name == "":
				return "an inline schema"
			}
			return name
		}
		for _, pin := range opts.Pins {
			before, up := upstreamName(ares, pin.Name), upstreamName(bres, pin.Name)
			if before == up {
				continue
			}
			add(Change{"Schemas", "~", fmt.Sprintf("%s: upstream now calls it %s (was %s)", pin.Name, up, before), "nothing: the pin in specsubset.yaml keeps the Go name " + pin.Name})
		}
	}

	if opts.Newer != nil && len(next) > 0 {
		res, err := specsubset.Effective(next, opts.Pins, opts.Newer)
		if err != nil {
			add(Change{"Newer-than-spec facts", "!", err.Error(), "newer.yaml"})
		} else {
			for _, act := range res.Redundant {
				add(Change{"Newer-than-spec facts", "=", fmt.Sprintf("now upstream: %s (%s)", act.Description, act.Target), "remove the action from newer.yaml"})
			}
		}
	}
	return r, nil
}

func propertySection(l *Location) string {
	switch l.Kind {
	case "request":
		return "Request properties"
	case "event":
		return "Stream events"
	case "schema":
		if strings.HasSuffix(l.Schema, "Call") {
			return "Response properties"
		}
		return "Request properties"
	}
	return "Response properties"
}

func label(s *Surface) string {
	if s.Version == "" && s.SHA256 == "" {
		return "(none)"
	}
	sha := s.SHA256
	if len(sha) > 12 {
		sha = sha[:12]
	}
	if sha == "" {
		return s.Version
	}
	return fmt.Sprintf("%s (sha256 %s)", s.Version, sha)
}

func joinPlaces(a, b string) string {
	switch {
	case a == "":
		return b
	case b == "":
		return a
	}
	return a + "; " + b
}

func keys[V any](m map[string]V) []string {
	var out []string
	for k := range m {
		out = append(out, k)
	}
	return out
}

func sortedUnion(a, b []string) []string {
	seen := map[string]bool{}
	var out []string
	for _, v := range append(append([]string(nil), a...), b...) {
		if !seen[v] {
			seen[v] = true
			out = append(out, v)
		}
	}
	sort.Strings(out)
	return out
}

// modelChanges gathers model additions and removals across locations, so
// that the report says once that a model came or went, and where.
type modelChanges struct {
	list []*modelChange
}

type modelChange struct {
	sign, model string
	where       []string
}

func (m *modelChanges) add(sign, model, where string) {
	for _, c := range m.list {
		if c.sign == sign && c.model == model {
			c.where = append(c.where, where)
			return
		}
	}
	m.list = append(m.list, &modelChange{sign, model, []string{where}})
}
