// Package specupdate tests the spec update path end to end: real upstream
// history replayed through extraction, the effective document, the
// generator and a build of the whole module, with the drift report of each
// step; and the seam between generated and handwritten code, by building the
// module against a generated client whose unpinned schemas all carry other
// names; and make generate against a spec that removed a property the
// wrapper sends, which must fail with one message naming the lines to change.
//
// The tests run the pinned generator (go tool oapi-codegen) and the go
// command, so they take tens of seconds; -short skips them.
//
// testdata/history holds five consecutive states of the subset the tool
// extracts from the official spec (github.com/openai/openai-openapi,
// openapi.yaml), each the exact output of the subset tool for the upstream
// commit in its name: the subset is what the tool reads of a 3 MB upstream
// document, and extracting it again gives it back.
package specupdate
