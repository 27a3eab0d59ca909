//go:build race

package imagejson

// raceEnabled: the race detector is on. sync.Pool then drops items at
// random, so tests of what a warm pool saves skip those figures.
const raceEnabled = true
