// Package imagecheck tells what image bytes are and whether they are whole,
// without decoding their pixels: the format from the first bytes (PNG,
// JPEG, WebP, GIF, SVG), a GIF's blocks walked to its trailer (counting its
// frames), an SVG parsed as XML to its end (well-formed, one svg root), and
// the size an SVG gives itself.
//
// The wrapper checks every image a call returned with it before writing the
// image to a file (wrapper.CheckImageFormat); the command line reports GIF
// frames and SVG sizes with it. It reads only the bytes it is given, never
// follows references (an SVG's DTD, entities or links) and allocates nothing
// in proportion to a GIF's pixels.
package imagecheck
