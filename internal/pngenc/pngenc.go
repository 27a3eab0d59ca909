// Package pngenc writes PNG files quickly, for the pictures the offline
// emulator (imagestest) draws: gradients, flat shapes and a caption.
//
// image/png chooses the best of the five PNG filters for every row, which
// on those pictures costs more than compressing them (about 60 % of the
// emulator's time per 256x256 generation went to png.Encoder.Encode, with
// BestSpeed). Encode always uses the Sub filter, which turns runs of one
// colour (every row of a vertical gradient, the inside of a shape) into
// runs of zeros, and writes those as deflate matches with the fixed Huffman
// codes (runEncoder): no hashing, no Huffman trees. A picture that does not
// shrink to a quarter that way (an edit of a photograph) is compressed with
// compress/flate at BestSpeed instead. Buffers and writers are pooled, so
// an image allocates little beyond its output. The files decode to the same
// pixels as image/png's; they are a little larger on the emulator's
// pictures.
package pngenc

import (
	"bytes"
	"compress/zlib"
	"encoding/binary"
	"errors"
	"hash/crc32"
	"image"
	"io"
	"sync"
)

// Encode writes img to w as a PNG: 8-bit RGB when every pixel is opaque
// (as image/png does), 8-bit RGBA otherwise.
func Encode(w io.Writer, img *image.NRGBA) error {
	width, height := img.Rect.Dx(), img.Rect.Dy()
	if width <= 0 || height <= 0 || int64(width)*int64(height) > 1<<32 || width > 1<<31-1 || height > 1<<31-1 {
		return errors.New("pngenc: invalid image size")
	}
	opaque := isOpaque(img)
	bpp, colorType := 4, byte(6) // RGBA
	if opaque {
		bpp, colorType = 3, 2 // RGB
	}

	st := states.Get().(*state)
	defer st.release()
	rowLen := 1 + width*bpp
	if cap(st.row) < rowLen {
		st.row = make([]byte, rowLen)
	}
	row := st.row[:rowLen]
	row[0] = 1 // the Sub filter: each byte minus the byte bpp to its left
	rows := func(write func([]byte)) {
		for y := range height {
			filterSub(row[1:], img.Pix[y*img.Stride:y*img.Stride+width*4], opaque)
			write(row)
		}
	}

	// Runs and literals first (see runEncoder); compress/flate when that
	// does not compress to a quarter.
	st.rle.reset(st.rleOut)
	rows(st.rle.write)
	data := st.rle.finish()
	st.rleOut = data
	if len(data) > height*rowLen/4 {
		st.idat.Reset()
		st.zw.Reset(&st.idat)
		var err error
		rows(func(p []byte) {
			if err == nil {
				_, err = st.zw.Write(p)
			}
		})
		if err == nil {
			err = st.zw.Close()
		}
		if err != nil {
			return err
		}
		data = st.idat.Bytes()
	}

	var ihdr [13]byte
	binary.BigEndian.PutUint32(ihdr[0:], uint32(width))
	binary.BigEndian.PutUint32(ihdr[4:], uint32(height))
	ihdr[8] = 8 // bit depth
	ihdr[9] = colorType
	// ihdr[10:13]: deflate, adaptive filtering, no interlace (all zero)

	if _, err := io.WriteString(w, "\x89PNG\r\n\x1a\n"); err != nil {
		return err
	}
	if err := writeChunk(w, "IHDR", ihdr[:]); err != nil {
		return err
	}
	if err := writeChunk(w, "IDAT", data); err != nil {
		return err
	}
	return writeChunk(w, "IEND", nil)
}

// state is the reusable memory of one Encode call.
type state struct {
	rle    runEncoder
	rleOut []byte // runEncoder's output
	zw     *zlib.Writer
	idat   bytes.Buffer // compress/flate's output
	row    []byte       // one filtered row
}

// release returns st to the pool, unless it holds the memory of an
// unusually large image.
func (st *state) release() {
	if st.idat.Cap() > 4<<20 || cap(st.rleOut) > 4<<20 || cap(st.row) > 64<<10 {
		return
	}
	states.Put(st)
}

var states = sync.Pool{New: func() any {
	zw, _ := zlib.NewWriterLevel(io.Discard, zlib.BestSpeed) // a valid level: no error
	return &state{zw: zw}
}}

// filterSub writes src (NRGBA pixels) into dst as the Sub filter of RGB
// (opaque) or RGBA samples.
func filterSub(dst, src []byte, opaque bool) {
	if opaque {
		var pr, pg, pb byte
		for i, j := 0, 0; i+3 < len(src); i, j = i+4, j+3 {
			r, g, b := src[i], src[i+1], src[i+2]
			dst[j], dst[j+1], dst[j+2] = r-pr, g-pg, b-pb
			pr, pg, pb = r, g, b
		}
		return
	}
	copy(dst[:4], src[:4])
	for i := 4; i < len(src); i++ {
		dst[i] = src[i] - src[i-4]
	}
}

func isOpaque(img *image.NRGBA) bool {
	w := img.Rect.Dx() * 4
	for y := range img.Rect.Dy() {
		row := img.Pix[y*img.Stride : y*img.Stride+w]
		for i := 3; i < len(row); i += 4 {
			if row[i] != 0xff {
				return false
			}
		}
	}
	return true
}

// writeChunk writes a PNG chunk: length, type, data and CRC.
func writeChunk(w io.Writer, typ string, data []byte) error {
	var b [8]byte
	binary.BigEndian.PutUint32(b[:4], uint32(len(data)))
	copy(b[4:], typ)
	crc := crc32.Update(crc32.ChecksumIEEE(b[4:8]), crc32.IEEETable, data)
	if _, err := w.Write(b[:]); err != nil {
		return err
	}
	if _, err := w.Write(data); err != nil {
		return err
	}
	binary.BigEndian.PutUint32(b[:4], crc)
	_, err := w.Write(b[:4])
	return err
}
