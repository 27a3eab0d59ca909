package main

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"image"
	_ "image/gif" // DecodeConfig of saved files
	_ "image/jpeg"
	_ "image/png"
	"io"
	"os"
	"path/filepath"
	"strings"
	"time"

	_ "golang.org/x/image/webp"

	"github.com/imagegen-go/openai-images/internal/atomicfile"
	"github.com/imagegen-go/openai-images/wrapper"
)

// outFlags say where and how results are reported.
type outFlags struct {
	dir  string
	json bool
}

func (of *outFlags) register(c *cmdFlags) {
	c.section("Output")
	of.dir = "out"
	c.str(&of.dir, "out", "DIR", "directory the images are written to, created if needed (default ./out)")
	c.boolean(&of.json, "json", "print a JSON summary on stdout instead of the paths written")
}

// prepare creates the output directory, so that a run that could not save
// its images fails before sending anything.
func (of *outFlags) prepare() error {
	if err := os.MkdirAll(of.dir, 0o755); err != nil {
		return fmt.Errorf("--out: %w", err)
	}
	return nil
}

// stampLayout is the time stamp in file names: UTC to the millisecond.
const stampLayout = "20060102T150405.000Z"

// reservePrefix returns the name prefix of a run's files,
// <command>-<UTC time stamp>, moved forward a millisecond at a time until
// no file in dir starts with it, so that a run never replaces the files of
// another.
func reservePrefix(dir, command string, t time.Time) (string, error) {
	entries, err := os.ReadDir(dir)
	if err != nil {
		return "", err
	}
	for {
		prefix := command + "-" + t.UTC().Format(stampLayout)
		taken := false
		for _, e := range entries {
			n := e.Name()
			if strings.HasPrefix(n, prefix+"-") || strings.HasPrefix(n, prefix+".") || strings.HasPrefix(n, "."+prefix+"-") {
				taken = true
				break
			}
		}
		if !taken {
			return prefix, nil
		}
		t = t.Add(time.Millisecond)
	}
}

// fileName is the base name (without extension) of image n (from 1) of a
// run, or of its partial image k (from 0, as the API numbers them).
func fileName(prefix string, n int, partial *int) string {
	if partial != nil {
		return fmt.Sprintf("%s-%d-partial-%d", prefix, n, *partial)
	}
	return fmt.Sprintf("%s-%d", prefix, n)
}

// sniffImage names the format of image bytes and the file extension for it.
func sniffImage(b []byte) (format, ext string) {
	switch {
	case bytes.HasPrefix(b, []byte("\x89PNG\r\n\x1a\n")):
		return "png", ".png"
	case bytes.HasPrefix(b, []byte("\xff\xd8\xff")):
		return "jpeg", ".jpg"
	case len(b) >= 12 && string(b[:4]) == "RIFF" && string(b[8:12]) == "WEBP":
		return "webp", ".webp"
	case bytes.HasPrefix(b, []byte("GIF87a")) || bytes.HasPrefix(b, []byte("GIF89a")):
		return "gif", ".gif"
	}
	return "", ".bin"
}

// summary is what a run reports: with --json, as a JSON object on stdout.
type summary struct {
	Command string `json:"command"`
	// Model is the model requested ("" when the API's default was used).
	Model string `json:"model,omitempty"`
	// Size is the size the API reported, else the size requested.
	Size         string     `json:"size,omitempty"`
	Quality      string     `json:"quality,omitempty"`
	Background   string     `json:"background,omitempty"`
	OutputFormat string     `json:"output_format,omitempty"`
	Stream       bool       `json:"stream,omitempty"`
	Created      *time.Time `json:"created,omitempty"`
	RequestID    string     `json:"request_id,omitempty"`
	Files        []fileInfo `json:"files"`
	// RevisedPrompts holds the prompts dall-e-3 rewrote, in image order.
	RevisedPrompts []string   `json:"revised_prompts,omitempty"`
	Usage          *usageJSON `json:"usage,omitempty"`
	ElapsedMS      int64      `json:"elapsed_ms"`
	Error          *errorJSON `json:"error,omitempty"`
}

// fileInfo is a file written.
type fileInfo struct {
	Path string `json:"path"`
	// Image is the image's number, from 1.
	Image int `json:"image"`
	// PartialIndex is set for partial images of a stream (from 0).
	PartialIndex  *int   `json:"partial_image_index,omitempty"`
	Format        string `json:"format"`
	Width         int    `json:"width"`
	Height        int    `json:"height"`
	Bytes         int    `json:"bytes"`
	RevisedPrompt string `json:"revised_prompt,omitempty"`
}

type usageJSON struct {
	InputTokens       int `json:"input_tokens"`
	InputTextTokens   int `json:"input_text_tokens"`
	InputImageTokens  int `json:"input_image_tokens"`
	OutputTokens      int `json:"output_tokens"`
	OutputTextTokens  int `json:"output_text_tokens,omitempty"`
	OutputImageTokens int `json:"output_image_tokens,omitempty"`
	TotalTokens       int `json:"total_tokens"`
}

type errorJSON struct {
	Message   string `json:"message"`
	Status    int    `json:"status,omitempty"`
	Type      string `json:"type,omitempty"`
	Code      string `json:"code,omitempty"`
	Param     string `json:"param,omitempty"`
	RequestID string `json:"request_id,omitempty"`
}

// saver writes a run's images and reports them.
type saver struct {
	nameErr error // from naming a file the wrapper writes (imageName)
	inv     *invocation
	out     outFlags
	sum     summary
	size    string // requested
	start   time.Time
	prefix  string
	prog    *progress
}

func (inv *invocation) newSaver(command string, out outFlags, model wrapper.Model, size wrapper.Size, stream bool) *saver {
	phase := "waiting for the API"
	if stream {
		phase = "waiting for the stream"
	}
	return &saver{
		inv:   inv,
		out:   out,
		sum:   summary{Command: command, Model: string(model), Stream: stream, Files: []fileInfo{}},
		size:  string(size),
		start: time.Now(),
		prog:  newProgress(inv.stderr, inv.tty, command, phase),
	}
}

// reserve picks the run's file name prefix, once.
func (s *saver) reserve() error {
	if s.prefix != "" {
		return nil
	}
	if err := os.MkdirAll(s.out.dir, 0o755); err != nil {
		return err
	}
	prefix, err := reservePrefix(s.out.dir, s.sum.Command, time.Now())
	if err != nil {
		return err
	}
	s.prefix = prefix
	return nil
}

// imageName names the file of an image the wrapper writes as it arrives
// (wrapper.WithImageFiles): the same name write gives.
func (s *saver) imageName(f wrapper.ImageFile) string {
	if err := s.reserve(); err != nil {
		s.nameErr = err
		return "" // refused by the wrapper, which fails the call
	}
	var partial *int
	if f.Partial {
		partial = &f.PartialIndex
	}
	ext := f.Ext
	if ext == "" {
		ext = ".bin"
	}
	return fileName(s.prefix, f.Index+1, partial) + ext
}

// write saves one image atomically and reports its path.
func (s *saver) write(n int, partial *int, data []byte, revised string) error {
	if err := s.reserve(); err != nil {
		return err
	}
	_, ext := sniffImage(data)
	path := filepath.Join(s.out.dir, fileName(s.prefix, n, partial)+ext)
	if err := atomicfile.WriteFile(path, data, 0o644); err != nil {
		return err
	}
	return s.record(n, partial, path, revised)
}

// fileError returns the error that kept a file from being named, if that
// is what failed the call.
func (s *saver) fileError(err error) error {
	if err != nil && s.nameErr != nil {
		return s.nameErr
	}
	return err
}

// keep reports the image at path, written as it arrived, or when there is
// none (a URL, an empty image) writes what bytes returns.
func (s *saver) keep(n int, partial *int, path, revised string, content func() ([]byte, error)) error {
	if path != "" {
		return s.record(n, partial, path, revised)
	}
	data, err := content()
	if err != nil {
		return err
	}
	return s.write(n, partial, data, revised)
}

// record reports an image file written: its format and size are read from
// the file's header.
func (s *saver) record(n int, partial *int, path, revised string) error {
	file, err := os.Open(path)
	if err != nil {
		return err
	}
	defer file.Close()
	fi, err := file.Stat()
	if err != nil {
		return err
	}
	head := make([]byte, 512)
	k, _ := io.ReadFull(file, head)
	format, _ := sniffImage(head[:k])
	f := fileInfo{Path: path, Image: n, PartialIndex: partial, Format: format, Bytes: int(fi.Size()), RevisedPrompt: revised}
	if _, err := file.Seek(0, io.SeekStart); err == nil {
		if cfg, _, err := image.DecodeConfig(bufio.NewReader(file)); err == nil {
			f.Width, f.Height = cfg.Width, cfg.Height
		}
	}
	s.sum.Files = append(s.sum.Files, f)
	if revised != "" {
		s.sum.RevisedPrompts = append(s.sum.RevisedPrompts, revised)
	}
	if !s.out.json {
		s.prog.above(func() { fmt.Fprintln(s.inv.stdout, path) })
	}
	return nil
}

// saveResponse writes the images of a JSON response.
func (s *saver) saveResponse(ctx context.Context, res *wrapper.ImagesResponse) error {
	s.sum.RequestID = res.RequestID
	if !res.Created.IsZero() {
		created := res.Created
		s.sum.Created = &created
	}
	s.setOutput(res.Size, res.Quality, res.Background, res.OutputFormat)
	s.setUsage(res.Usage)
	s.prog.setPhase("saving")
	for i, img := range res.Data {
		// Base64 images were written as they arrived; a URL is
		// downloaded.
		content := func() ([]byte, error) { return img.Bytes(ctx) }
		if err := s.keep(i+1, nil, img.Path, img.RevisedPrompt, content); err != nil {
			return err
		}
	}
	if len(res.Data) == 0 {
		return errors.New("the response holds no images")
	}
	return nil
}

// saveStream writes the partial and final images of a stream as they
// arrive. What arrived before a failure stays written.
func (s *saver) saveStream(stream *wrapper.ImageStream) error {
	defer stream.Close()
	s.sum.RequestID = stream.RequestID()
	s.prog.setPhase("streaming")
	n := 1
	for stream.Next() {
		// The images were written as they arrived (wrapper.WithImageFiles).
		switch ev := stream.Current().(type) {
		case *wrapper.PartialImageEvent:
			index := ev.Index
			if err := s.keep(n, &index, ev.Path, "", ev.Bytes); err != nil {
				return err
			}
			s.prog.partial()
		case *wrapper.CompletedEvent:
			if err := s.keep(n, nil, ev.Path, "", ev.Bytes); err != nil {
				return err
			}
			n++
			if !ev.CreatedAt.IsZero() {
				created := ev.CreatedAt
				s.sum.Created = &created
			}
			s.setOutput(ev.Size, ev.Quality, ev.Background, ev.OutputFormat)
			s.setUsage(ev.Usage)
		}
	}
	return stream.Err()
}

func (s *saver) setOutput(size wrapper.Size, q wrapper.Quality, bg wrapper.Background, f wrapper.OutputFormat) {
	s.sum.Size = string(size)
	if size == "" || size == wrapper.SizeAuto && s.size != "" {
		s.sum.Size = s.size
	}
	s.sum.Quality, s.sum.Background, s.sum.OutputFormat = string(q), string(bg), string(f)
}

func (s *saver) setUsage(u *wrapper.Usage) {
	if u == nil {
		return
	}
	s.sum.Usage = &usageJSON{
		InputTokens: u.InputTokens, InputTextTokens: u.InputTextTokens, InputImageTokens: u.InputImageTokens,
		OutputTokens: u.OutputTokens, OutputTextTokens: u.OutputTextTokens, OutputImageTokens: u.OutputImageTokens,
		TotalTokens: u.TotalTokens,
	}
}

// finish stops the progress line and reports the run: the JSON summary
// (also after a failure), or a line on stderr. It returns err.
func (s *saver) finish(err error) error {
	s.prog.stop()
	s.sum.ElapsedMS = time.Since(s.start).Milliseconds()
	if s.out.json {
		if err != nil {
			s.sum.Error = errorInfo(err)
		}
		enc := json.NewEncoder(s.inv.stdout)
		enc.SetIndent("", "  ")
		if jerr := enc.Encode(s.sum); jerr != nil && err == nil {
			err = jerr
		}
		return err
	}
	if err == nil || len(s.sum.Files) > 0 {
		fmt.Fprintln(s.inv.stderr, s.humanLine(err))
		for i, p := range s.sum.RevisedPrompts {
			fmt.Fprintf(s.inv.stderr, "  revised prompt %d: %s\n", i+1, p)
		}
	}
	return err
}

// humanLine is the one-line account of the run, e.g. "generate: 1 image
// and 2 partial images written to out in 0.4s (gpt-image-1.5, 1024x1024
// png, 1290 tokens, request req_...)".
func (s *saver) humanLine(err error) string {
	images, partials := 0, 0
	for _, f := range s.sum.Files {
		if f.PartialIndex != nil {
			partials++
		} else {
			images++
		}
	}
	var b strings.Builder
	fmt.Fprintf(&b, "%s: %s", s.sum.Command, plural(images, "image"))
	if partials > 0 {
		fmt.Fprintf(&b, " and %s", plural(partials, "partial image"))
	}
	fmt.Fprintf(&b, " written to %s in %v", s.out.dir, time.Duration(s.sum.ElapsedMS)*time.Millisecond)
	if err != nil {
		b.WriteString(" before the failure below")
		return b.String()
	}
	var details []string
	if s.sum.Model != "" {
		details = append(details, s.sum.Model)
	}
	if len(s.sum.Files) > 0 {
		f := s.sum.Files[len(s.sum.Files)-1]
		details = append(details, fmt.Sprintf("%dx%d %s", f.Width, f.Height, f.Format))
	}
	if s.sum.Usage != nil {
		details = append(details, plural(s.sum.Usage.TotalTokens, "token"))
	}
	if s.sum.RequestID != "" {
		details = append(details, "request "+s.sum.RequestID)
	}
	if len(details) > 0 {
		fmt.Fprintf(&b, " (%s)", strings.Join(details, ", "))
	}
	return b.String()
}

func plural(n int, noun string) string {
	if n == 1 {
		return "1 " + noun
	}
	return fmt.Sprintf("%d %ss", n, noun)
}

func errorInfo(err error) *errorJSON {
	e := &errorJSON{Message: err.Error()}
	var apiErr *wrapper.APIError
	var streamErr *wrapper.StreamError
	switch {
	case errors.As(err, &apiErr):
		e.Status, e.Type, e.Code, e.Param, e.RequestID = apiErr.StatusCode, apiErr.Type, apiErr.Code, apiErr.Param, apiErr.RequestID
	case errors.As(err, &streamErr):
		e.Type, e.Code, e.Param = streamErr.Type, streamErr.Code, streamErr.Param
	}
	return e
}
