package wrapper

import (
	"bytes"
	"encoding/json"
	"errors"
	"io"
	"math"
	"mime"
	"mime/multipart"
	"strings"
	"testing"
	"unicode/utf8"
)

// Every part name (plain fields, file fields and file names) goes through
// headerSafe: control characters other than tab become "_", and quotes and
// backslashes are escaped, so they come back as they were.
var (
	wantFieldName = func(s string) string {
		return strings.Map(func(r rune) rune {
			if r < 0x20 && r != '\t' || r == 0x7f {
				return '_'
			}
			return r
		}, s)
	}
	wantFileName = wantFieldName
)

// FuzzMultipartForm builds forms from arbitrary field names and values,
// file names, file bytes and numbers of images from every kind of source,
// and checks that the body parses with mime/multipart, that every field and
// file comes back exactly (names and file names after the escaping rules,
// content types as probed, bytes), that the body is the same on a second
// write (a retry), that contentLength is the body's length when it says it
// knows it, and that nothing panics.
func FuzzMultipartForm(f *testing.F) {
	png := testPNG(f, 4, 4, true)
	f.Add("prompt", "a lighthouse", "user", "u-1", 3.5, "image[]", "a.png", png, uint8(2), uint8(0))
	f.Add("", "", "", "", 0.0, "", "", []byte{}, uint8(0), uint8(0))
	f.Add(`we"ird\name`, "line\r\nbreak\r\n--", `x"y`, "é", -1e300, "im\"age", "c:\\dir\\f\"il\r\ne.png", png, uint8(16), uint8(1))
	f.Add("n", strings.Repeat("v", 70_000), "k", "v", math.Inf(1), "image", "x.png", bytes.Repeat(png, 3), uint8(17), uint8(2))
	f.Add("name\n", "\x00\xff", "\xfe", "\r", 1.0, "mask\r", "\x80.png", []byte("GIF89a"), uint8(5), uint8(3))
	f.Add("model", "gpt-image-1.5", "quality", "xhigh", 2.0, "image", "big.webp", bytes.Repeat([]byte("RIFF\x00\x00\x00\x00WEBPVP8 "), 7000), uint8(3), uint8(7))
	f.Add("prompt", "x", "safety_identifier", "u", 1.0, "image", "photo\x1b[31m.png", png, uint8(1), uint8(0)) // see TestMultipartControlCharactersInNames

	f.Fuzz(func(t *testing.T, name, value, extraKey, extraValue string, extraNum float64, fileField, fileName string, data []byte, images, kinds uint8) {
		form := newForm()
		form.field(name, value)
		wantFields := [][2]string{{wantFieldName(name), value}}

		extra := map[string]any{extraKey: extraValue, extraKey + "#n": extraNum}
		err := form.extra(extra)
		if math.IsNaN(extraNum) || math.IsInf(extraNum, 0) {
			if err == nil {
				t.Fatalf("extra(%v) accepted a number JSON cannot carry", extraNum)
			}
			return
		}
		if !utf8.ValidString(value) || !utf8.ValidString(extraKey) || !utf8.ValidString(extraValue) {
			// Text that is not UTF-8 is refused, the same way as in a
			// JSON body.
			var ve *ValidationError
			if !errors.As(err, &ve) {
				t.Fatalf("invalid UTF-8 accepted: %v", err)
			}
			return
		}
		if err != nil {
			t.Fatalf("extra: %v", err)
		}
		num, _ := json.Marshal(extraNum)
		// extra adds fields in name order: extraKey sorts before its
		// extension.
		wantFields = append(wantFields, [2]string{wantFieldName(extraKey), extraValue}, [2]string{wantFieldName(extraKey + "#n"), string(num)})

		type wantFile struct{ field, name, contentType string }
		var wantFiles []wantFile
		var sources [][]byte
		oneShot := false
		n := int(images % 18)
		for i := range n {
			src := data[:len(data)*(i+1)/n] // prefixes of growing length
			sources = append(sources, src)
			field := fileField
			if i == n-1 && n > 1 {
				field = "mask"
			}
			var img Image
			switch (int(kinds) >> (i % 4)) & 3 {
			case 0:
				img = ImageFromBytes(fileName, src)
			case 1:
				img = ImageFromOpener(fileName, func() (io.ReadCloser, error) { return io.NopCloser(bytes.NewReader(src)), nil })
			case 2:
				img = ImageFromReader(fileName, io.MultiReader(bytes.NewReader(src))) // one-shot
				oneShot = true
			case 3:
				img = ImageFromReaderAt(fileName, bytes.NewReader(src), int64(len(src)))
			}
			info, err := img.Probe()
			if err != nil {
				t.Fatalf("probe: %v", err)
			}
			if err := form.addFile(field, img); err != nil {
				t.Fatalf("addFile: %v", err)
			}
			wantFiles = append(wantFiles, wantFile{wantFileName(field), wantFileName(img.Name()), info.ContentType})
		}

		length, known := form.contentLength()
		body, err := io.ReadAll(form.body())
		if err != nil {
			t.Fatalf("body: %v", err)
		}
		if known && length != int64(len(body)) {
			t.Errorf("contentLength = %d, body is %d bytes", length, len(body))
		}
		if !oneShot {
			var again bytes.Buffer
			if err := form.write(&again, false); err != nil {
				t.Fatalf("second write: %v", err)
			}
			if !bytes.Equal(again.Bytes(), body) {
				t.Fatal("a second write (a retry) gives other bytes")
			}
		}

		mt, params, err := mime.ParseMediaType(form.contentType())
		if err != nil || mt != "multipart/form-data" || params["boundary"] != form.boundary {
			t.Fatalf("content type %q: %v", form.contentType(), err)
		}
		mr := multipart.NewReader(bytes.NewReader(body), params["boundary"])
		var gotFields [][2]string
		var gotFiles []wantFile
		var gotData [][]byte
		for {
			p, err := mr.NextPart()
			if errors.Is(err, io.EOF) {
				break
			}
			if err != nil {
				t.Fatalf("part %d: %v\n%q", len(gotFields)+len(gotFiles), err, body)
			}
			disp, dp, err := mime.ParseMediaType(p.Header.Get("Content-Disposition"))
			if err != nil || disp != "form-data" {
				t.Fatalf("Content-Disposition %q: %v", p.Header.Get("Content-Disposition"), err)
			}
			content, err := io.ReadAll(p)
			if err != nil {
				t.Fatalf("part content: %v", err)
			}
			if fn, isFile := dp["filename"]; isFile {
				gotFiles = append(gotFiles, wantFile{dp["name"], fn, p.Header.Get("Content-Type")})
				gotData = append(gotData, content)
			} else {
				gotFields = append(gotFields, [2]string{dp["name"], string(content)})
			}
		}
		if len(gotFields) != len(wantFields) {
			t.Fatalf("fields = %q, want %q", gotFields, wantFields)
		}
		for i := range wantFields {
			if gotFields[i] != wantFields[i] {
				t.Errorf("field %d = %q, want %q", i, gotFields[i], wantFields[i])
			}
		}
		if len(gotFiles) != len(wantFiles) {
			t.Fatalf("%d files, want %d", len(gotFiles), len(wantFiles))
		}
		for i := range wantFiles {
			if gotFiles[i] != wantFiles[i] {
				t.Errorf("file %d = %q, want %q", i, gotFiles[i], wantFiles[i])
			}
			if !bytes.Equal(gotData[i], sources[i]) {
				t.Errorf("file %d: %d bytes differ from the %d-byte source", i, len(gotData[i]), len(sources[i]))
			}
		}
	})
}

// A control character in a file name (legal in file names on Unix, so
// ImageFromPath can meet one) or in a field name must not reach the part's
// Content-Disposition header raw, where MIME readers refuse it
// (net/textproto: "malformed MIME header line"): it is replaced, and the
// body parses.
func TestMultipartControlCharactersInNames(t *testing.T) {
	for _, ctl := range []string{"\x00", "\x01", "\x1b", "\x7f"} {
		for _, where := range []string{"WithExtraBody key", "file name"} {
			form := newForm()
			var err error
			if where == "file name" {
				err = form.addFile("image", ImageFromBytes("photo"+ctl+".png", testPNG(t, 4, 4, false)))
			} else {
				err = form.extra(map[string]any{"key" + ctl: "v"})
			}
			if err != nil {
				t.Fatal(err)
			}
			body, err := io.ReadAll(form.body())
			if err != nil {
				t.Fatal(err)
			}
			_, params, _ := mime.ParseMediaType(form.contentType())
			mr := multipart.NewReader(bytes.NewReader(body), params["boundary"])
			for {
				_, err := mr.NextPart()
				if errors.Is(err, io.EOF) {
					break
				}
				if err != nil {
					t.Errorf("%s with %q: the body does not parse: %v", where, ctl, err)
					break
				}
			}
		}
	}
}
