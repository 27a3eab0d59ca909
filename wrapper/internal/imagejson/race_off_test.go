//go:build !race

package imagejson

const raceEnabled = false
