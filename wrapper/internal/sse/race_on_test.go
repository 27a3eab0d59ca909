//go:build race

package sse

// raceEnabled: the race detector is on. sync.Pool then drops items at
// random, so tests of what a warm pool saves skip those figures.
const raceEnabled = true
