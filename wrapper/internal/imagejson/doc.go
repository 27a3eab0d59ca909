// Package imagejson reads JSON documents that carry large base64 images (an
// images response's data[].b64_json, an image stream event's b64_json, a
// Responses API image_generation_call's result) as they arrive, and hands
// each image string to a sink instead of holding the document.
//
// # Vocabulary
//
//   - An image string is a string value at one of the [Scanner]'s paths.
//   - Its content goes, piece by piece, to a [Sink]: [Text] keeps the base64
//     text (for typed results that hold it), [Decoded] decodes it to a
//     writer such as a file being written atomically, [Discard] drops it.
//   - Everything else is copied into the skeleton: the document with each
//     image string replaced by a placeholder string. It is small, and
//     unmarshalling it into the generated types parses every other field
//     exactly as unmarshalling the document would, new fields included.
//     [Scanner.Sink] maps a placeholder found in a field back to its sink.
//
// # Same results as encoding/json and encoding/base64
//
// The point of the package is speed and memory; it must not change a single
// result. Unmarshalling the skeleton gives the same values and the same
// first error as unmarshalling the document (the scanner checks the content
// it removes with json's rules and leaves any fault in the skeleton for json
// to report; [Scanner.Unmarshal] maps the error's offset back). A placeholder
// stands where its string stood, so duplicate members, members in any order
// and json's case-insensitive field matching all resolve as before; a
// member the scanner does not recognise (a key with escapes, say) simply
// stays in the skeleton. [Text] gives the string's value as json would
// (escapes decoded, invalid UTF-8 replaced), and [Decoded] decodes it as
// base64.StdEncoding.DecodeString would: the same bytes, or the same
// base64.CorruptInputError at the same offset, line breaks skipped, escapes
// such as \/ decoded first. The fuzz targets check all of this against
// encoding/json and encoding/base64.
//
// # Speed and memory
//
// Image content is scanned eight bytes at a time for the few bytes that
// matter in a JSON string (quote, backslash, control characters, bytes
// above 0x7F), and decoded in runs of whole base64 quanta, four table
// lookups a quantum (about 1.7 times base64.StdEncoding.Decode); everything
// else is byte by byte, which only the small rest of a document sees. A
// [Text] holds its content in pooled 256 KiB chunks and copies it once into
// a string of exactly its size; a [Decoded] holds a pooled buffer of 3, 12
// or 48 KiB (it moves to the next size each time one fills), and
// [Scanner.ReadFrom] reads into one of 4, 16 or 64 KiB the same way, so
// that small documents take small buffers.
package imagejson
