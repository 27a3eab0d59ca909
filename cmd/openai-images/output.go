package main

import (
	"bufio"
	"bytes"
	"context"
	"errors"
	"fmt"
	"image"
	_ "image/gif" // DecodeConfig of saved files
	_ "image/jpeg"
	_ "image/png"
	"io"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"time"

	_ "golang.org/x/image/webp"

	"github.com/imagegen-go/openai-images/internal/atomicfile"
	"github.com/imagegen-go/openai-images/internal/imagecheck"
	"github.com/imagegen-go/openai-images/wrapper"
)

// outFlags say where and how results are reported.
type outFlags struct {
	dir    string // --out-dir: images named by command and time
	output string // -o: the image file, or - for stdout
	json   bool
	quiet  bool
}

func (of *outFlags) register(c *cmdFlags) {
	c.section("Output")
	c.str(&of.output, "output", "FILE", "write the image to FILE, replacing it (several images: FILE-1.png, FILE-2.png, "+
		"or where {n} is in FILE); - writes the image's bytes to stdout")
	c.short("o", "output")
	of.dir = "out"
	c.str(&of.dir, "out-dir", "DIR", "without -o: the directory images are written to, as <command>-<UTC time>-<N>.<ext>, "+
		"created if needed (default ./out)")
	c.alias("out", "out-dir")
	c.boolean(&of.json, "json", "print one JSON object on stdout when done, on success and on failure (see 'openai-images help json')")
	c.boolean(&of.quiet, "quiet", "print no progress and no summary on stderr (errors still)")
	c.short("q", "quiet")
}

// imageExts maps file extensions to the image formats they name.
var imageExts = map[string]string{".png": "png", ".jpg": "jpeg", ".jpeg": "jpeg", ".webp": "webp", ".gif": "gif", ".svg": "svg"}

// prepare checks the output flags against the request (n images, partial
// images, an output format), changing nothing.
func (of *outFlags) prepare(inv *invocation, c *cmdFlags, n int, partials int, format wrapper.OutputFormat) error {
	name := c.fs.Name()
	switch {
	case of.output != "" && c.isSet("out-dir"):
		return usagef("%s: give -o FILE or --out-dir DIR, not both", name)
	case of.output == "-":
		switch {
		case of.json:
			return usagef("%s: -o - writes the image to stdout, where --json writes its report: use -o FILE with --json", name)
		case inv.stdoutTTY:
			return usagef("%s: -o -: stdout is a terminal, which cannot show image bytes: redirect it (> image.png) or use -o FILE", name)
		case n > 1:
			return usagef("%s: -o - takes one image and --n %d asks for %d: use -o FILE (FILE-1.png, FILE-2.png, ...)", name, n, n)
		case partials > 0:
			return usagef("%s: -o - takes the final image only: drop --partial-images, or use -o FILE", name)
		}
		return nil
	case of.output != "":
		if fi, err := os.Stat(of.output); err == nil && fi.IsDir() {
			return usagef("%s: -o %s is a directory: name a file, or use --out-dir %s", name, of.output, of.output)
		}
		dir := filepath.Dir(of.output)
		if fi, err := os.Stat(dir); err != nil || !fi.IsDir() {
			return usagef("%s: -o %s: the directory %s does not exist", name, of.output, dir)
		}
		if want, ok := imageExts[strings.ToLower(filepath.Ext(of.output))]; ok && format != "" && want != string(format) {
			return usagef("%s: -o %s names a %s file, but --output-format is %s", name, of.output, want, format)
		}
		return nil
	}
	if fi, err := os.Stat(of.dir); err != nil && imageExts[strings.ToLower(filepath.Ext(of.dir))] != "" {
		return usagef("%s: --out-dir %s is the directory images go into: to name the image file, use -o %s", name, of.dir, of.dir)
	} else if err == nil && !fi.IsDir() {
		return usagef("%s: --out-dir %s is a file, not a directory", name, of.dir)
	}
	return nil
}

// create makes the output directory, once the request is known to be
// sendable, so that a run that could not save its images fails before
// sending anything.
func (of *outFlags) create() error {
	if of.output != "" {
		return nil
	}
	if err := os.MkdirAll(of.dir, 0o755); err != nil {
		return fmt.Errorf("--out-dir: %w", err)
	}
	return nil
}

// outputName is the file -o FILE names for image n (from 1) of a run, or
// for its partial image k: FILE itself for a lone image, {n} in FILE
// replaced by n, or -n added before the extension when there are several.
// A FILE without an extension gets the one of the image's bytes.
func outputName(pattern string, n int, several bool, partial *int, sniffedExt string) string {
	base, ext := pattern, filepath.Ext(pattern)
	if ext == "" || strings.ContainsRune(ext, filepath.Separator) {
		ext = sniffedExt
	} else {
		base = strings.TrimSuffix(pattern, ext)
	}
	switch {
	case strings.Contains(base, "{n}"):
		base = strings.ReplaceAll(base, "{n}", strconv.Itoa(n))
	case several:
		base += "-" + strconv.Itoa(n)
	}
	if partial != nil {
		base += "-partial-" + strconv.Itoa(*partial)
	}
	return base + ext
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

// checkOutput checks image bytes as the wrapper does (wrapper.CheckImageFormat:
// the declared output format, a GIF walked to its end, an SVG parsed) and
// returns their format and the file extension for it (".bin" for a format
// this version does not know, accepted when the response declared one).
func checkOutput(b []byte, declared wrapper.OutputFormat) (format, ext string, err error) {
	f, err := wrapper.CheckImageFormat(b, declared)
	if err != nil {
		return "", "", err
	}
	ext = f.Extension()
	if ext == "" {
		ext = ".bin"
	}
	return string(f), ext, nil
}

// dimensions returns an image's width and height, and a GIF's frames: from
// its header, or an SVG's own width and height (or viewBox). Zero when the
// bytes do not say.
func dimensions(format string, b []byte) (width, height, frames int) {
	switch format {
	case "svg":
		width, height, _ = imagecheck.SVGSize(b)
		return width, height, 0
	case "gif":
		frames, _ = imagecheck.GIFFrames(b)
	}
	if cfg, _, err := image.DecodeConfig(bytes.NewReader(b)); err == nil {
		width, height = cfg.Width, cfg.Height
	}
	return width, height, frames
}

// summary is what a run of generate, edit or vary reports: with --json,
// as the JSON object on stdout (see jsonHelp).
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
	// SVGUsage is the token usage of the model that wrote SVG output,
	// apart from Usage (the rendering's).
	SVGUsage *svgUsageJSON `json:"svg_usage,omitempty"`
	// SafetyIdentifier is the safety identifier the API used: the
	// request's --safety-identifier, else the deprecated --user.
	SafetyIdentifier string     `json:"safety_identifier,omitempty"`
	ElapsedMS        int64      `json:"elapsed_ms"`
	ExitCode         int        `json:"exit_code"`
	Error            *errorJSON `json:"error,omitempty"`
}

func (s *summary) setOutcome(code int, e *errorJSON) { s.ExitCode, s.Error = code, e }

// startReport registers the --json object of an image command.
func (inv *invocation) startReport(command string) *summary {
	s := &summary{Command: command, Files: []fileInfo{}}
	inv.report = s
	return s
}

// fileInfo is a file written.
type fileInfo struct {
	// Path is the file's path; "-" for stdout.
	Path string `json:"path"`
	// Image is the image's number, from 1.
	Image int `json:"image"`
	// PartialIndex is set for partial images of a stream (from 0).
	PartialIndex *int   `json:"partial_image_index,omitempty"`
	Format       string `json:"format"`
	// Width and Height come from the image's header; an SVG's from its
	// width and height attributes or its viewBox (0 when it gives none).
	Width  int `json:"width"`
	Height int `json:"height"`
	// Frames is the number of frames of a GIF.
	Frames        int    `json:"frames,omitempty"`
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

type svgUsageJSON struct {
	Model           string `json:"model"`
	InputTokens     int    `json:"input_tokens"`
	OutputTokens    int    `json:"output_tokens"`
	ReasoningTokens int    `json:"reasoning_tokens"`
	TotalTokens     int    `json:"total_tokens"`
}

// saver writes a run's images and reports them.
type saver struct {
	nameErr error // from naming a file the wrapper writes (imageName)
	inv     *invocation
	out     outFlags
	sum     *summary
	size    string               // requested
	format  wrapper.OutputFormat // requested
	several bool                 // more than one image: -o FILE numbers them
	start   time.Time
	prefix  string
	prog    *progress
}

func (inv *invocation) newSaver(sum *summary, out outFlags, model wrapper.Model, size wrapper.Size, stream bool, n int, format wrapper.OutputFormat) *saver {
	phase := "waiting for the API"
	if stream {
		phase = "waiting for the stream"
	}
	sum.Model, sum.Stream = string(model), stream
	return &saver{
		inv:     inv,
		out:     out,
		sum:     sum,
		size:    string(size),
		format:  format,
		several: n > 1,
		start:   time.Now(),
		prog:    inv.newProgress(inv.tty && !out.quiet, sum.Command, phase),
	}
}

// declared is the output format the images are to have: the one the API
// echoed, else the one requested ("" when neither says).
func (s *saver) declared(echoed wrapper.OutputFormat) wrapper.OutputFormat {
	if echoed != "" {
		return echoed
	}
	return s.format
}

// write saves one image atomically (or writes it to stdout), once its
// bytes are found to be what was declared, and reports its path.
func (s *saver) write(n int, partial *int, data []byte, declared wrapper.OutputFormat, revised string) error {
	format, ext, err := checkOutput(data, declared)
	if err != nil {
		return err
	}
	var path string
	switch {
	case s.out.output == "-":
		if partial != nil {
			return nil // -o - takes the final image only
		}
		path = "-"
		if _, err := s.inv.stdout.Write(data); err != nil {
			return fmt.Errorf("stdout: %w", err)
		}
	case s.out.output != "":
		path = outputName(s.out.output, n, s.several, partial, ext)
		if want, ok := imageExts[strings.ToLower(filepath.Ext(path))]; ok && format != "" && want != format {
			s.prog.above(func() {
				fmt.Fprintf(s.inv.stderr, "openai-images: warning: %s holds a %s image, not %s\n", path, format, want)
			})
		}
		if err := atomicfile.WriteFile(path, data, 0o644); err != nil {
			return err
		}
	default:
		if s.prefix == "" {
			if err := os.MkdirAll(s.out.dir, 0o755); err != nil {
				return err
			}
			prefix, err := reservePrefix(s.out.dir, s.sum.Command, time.Now())
			if err != nil {
				return err
			}
			s.prefix = prefix
		}
		path = filepath.Join(s.out.dir, fileName(s.prefix, n, partial)+ext)
		if err := atomicfile.WriteFile(path, data, 0o644); err != nil {
			return err
		}
	}
	f := fileInfo{Path: path, Image: n, PartialIndex: partial, Format: format, Bytes: len(data), RevisedPrompt: revised}
	f.Width, f.Height, f.Frames = dimensions(format, data)
	s.sum.Files = append(s.sum.Files, f)
	if revised != "" {
		s.sum.RevisedPrompts = append(s.sum.RevisedPrompts, revised)
	}
	if !s.out.json && path != "-" {
		s.prog.above(func() { fmt.Fprintln(s.inv.stdout, path) })
	}
	return nil
}

// files returns the request option that has the wrapper decode each base64
// image into its file as it arrives, so that no image is held in memory
// (wrapper.WithImageFiles), or none when the images go to stdout (-o -) or
// -o FILE's {n} is in a directory name.
func (s *saver) files() []wrapper.RequestOption {
	dir := s.out.dir
	if s.out.output != "" {
		dir = filepath.Dir(s.out.output)
		if s.out.output == "-" || strings.Contains(dir, "{n}") {
			return nil
		}
	}
	return []wrapper.RequestOption{wrapper.WithImageFiles(dir, s.imageName)}
}

// imageName names the file of an image the wrapper writes as it arrives:
// the name write would give it.
func (s *saver) imageName(f wrapper.ImageFile) string {
	n := f.Index + 1
	var partial *int
	if f.Partial {
		partial = &f.PartialIndex
	}
	ext := f.Ext
	if ext == "" {
		ext = ".bin"
	}
	if s.out.output != "" {
		return filepath.Base(outputName(s.out.output, n, s.several || f.Count > 1, partial, ext))
	}
	if s.prefix == "" {
		prefix, err := reservePrefix(s.out.dir, s.sum.Command, time.Now())
		if err != nil {
			s.nameErr = err
			return "" // refused by the wrapper, which fails the call
		}
		s.prefix = prefix
	}
	return fileName(s.prefix, n, partial) + ext
}

// nameError returns the error that kept a file from being named, if that
// is what failed the call.
func (s *saver) nameError(err error) error {
	if err != nil && s.nameErr != nil {
		return s.nameErr
	}
	return err
}

// record checks and reports an image the wrapper wrote as it arrived:
// checked as write checks image bytes (the wrapper checked it against the
// format the response declared; this adds the one requested), its format
// and size read from the file's header (a GIF or an SVG read whole). A file
// that fails the check is removed.
func (s *saver) record(n int, partial *int, path string, declared wrapper.OutputFormat, revised string) error {
	f, err := os.Open(path)
	if err != nil {
		return err
	}
	defer f.Close()
	fi, err := f.Stat()
	if err != nil {
		return err
	}
	head := make([]byte, 4096)
	k, _ := io.ReadFull(f, head)
	data := head[:k]
	switch imagecheck.Sniff(data) {
	case "gif", "svg":
		if data, err = os.ReadFile(path); err != nil {
			return err
		}
	}
	format, _, err := checkOutput(data, declared)
	if err != nil {
		os.Remove(path)
		return err
	}
	info := fileInfo{Path: path, Image: n, PartialIndex: partial, Format: format, Bytes: int(fi.Size()), RevisedPrompt: revised}
	if format == "gif" || format == "svg" {
		info.Width, info.Height, info.Frames = dimensions(format, data)
	} else if _, err := f.Seek(0, io.SeekStart); err == nil {
		if cfg, _, err := image.DecodeConfig(bufio.NewReader(f)); err == nil {
			info.Width, info.Height = cfg.Width, cfg.Height
		}
	}
	if want, ok := imageExts[strings.ToLower(filepath.Ext(path))]; ok && s.out.output != "" && format != "" && want != format {
		s.prog.above(func() {
			fmt.Fprintf(s.inv.stderr, "openai-images: warning: %s holds a %s image, not %s\n", path, format, want)
		})
	}
	s.sum.Files = append(s.sum.Files, info)
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
	if u := res.SVGUsage; u != nil {
		s.sum.SVGUsage = &svgUsageJSON{Model: u.Model, InputTokens: u.InputTokens, OutputTokens: u.OutputTokens,
			ReasoningTokens: u.ReasoningTokens, TotalTokens: u.TotalTokens}
	}
	s.sum.SafetyIdentifier = res.SafetyIdentifier
	s.prog.setPhase("saving")
	if len(res.Data) == 0 {
		return errors.New("the response holds no images")
	}
	if len(res.Data) > 1 && s.out.output == "-" {
		return fmt.Errorf("-o -: the response holds %d images; only one can go to stdout", len(res.Data))
	}
	s.several = s.several || len(res.Data) > 1
	// Every image is fetched and checked before any is written: a response
	// with an image that is not what it declared writes nothing. (Base64
	// images were written as they arrived, all checked first by the
	// wrapper.)
	declared := s.declared(res.OutputFormat)
	if written(res) {
		for i, img := range res.Data {
			if err := s.record(i+1, nil, img.Path, declared, img.RevisedPrompt); err != nil {
				return err
			}
		}
		return nil
	}
	contents := make([][]byte, len(res.Data))
	for i, img := range res.Data {
		data, err := img.Content(ctx) // a URL is downloaded
		if err != nil {
			return err
		}
		if _, _, err := checkOutput(data, declared); err != nil {
			if len(res.Data) > 1 {
				return fmt.Errorf("image %d of %d: %w (no image of the response was written)", i+1, len(res.Data), err)
			}
			return err
		}
		contents[i] = data
	}
	for i, img := range res.Data {
		if err := s.write(i+1, nil, contents[i], declared, img.RevisedPrompt); err != nil {
			return err
		}
	}
	return nil
}

// saveStream writes the partial and final images of a stream as they
// arrive. What arrived before a failure stays written.
func (s *saver) saveStream(ctx context.Context, stream *wrapper.ImageStream) error {
	defer stream.Close()
	s.sum.RequestID = stream.RequestID()
	s.prog.setPhase("streaming")
	n := 1
	for stream.Next() {
		switch ev := stream.Current().(type) {
		case *wrapper.PartialImageEvent:
			index := ev.Index
			if ev.Path != "" { // written as it arrived
				if err := s.record(n, &index, ev.Path, s.declared(ev.OutputFormat), ""); err != nil {
					return err
				}
				s.prog.partial()
				continue
			}
			data, err := ev.Content(ctx)
			if err != nil {
				return err
			}
			if err := s.write(n, &index, data, s.declared(ev.OutputFormat), ""); err != nil {
				return err
			}
			s.prog.partial()
		case *wrapper.CompletedEvent:
			if ev.Path != "" { // written as it arrived
				if err := s.record(n, nil, ev.Path, s.declared(ev.OutputFormat), ""); err != nil {
					return err
				}
			} else {
				data, err := ev.Content(ctx)
				if err != nil {
					return err
				}
				if err := s.write(n, nil, data, s.declared(ev.OutputFormat), ""); err != nil {
					return err
				}
			}
			n++
			if !ev.CreatedAt.IsZero() {
				created := ev.CreatedAt
				s.sum.Created = &created
			}
			s.setOutput(ev.Size, ev.Quality, ev.Background, ev.OutputFormat)
			s.setUsage(ev.Usage)
			if ev.SafetyIdentifier != "" {
				s.sum.SafetyIdentifier = ev.SafetyIdentifier
			}
		}
	}
	return stream.Err()
}

// written reports whether every image of a response was written to its
// file as it arrived (none sent as a URL).
func written(res *wrapper.ImagesResponse) bool {
	for _, img := range res.Data {
		if img.Path == "" {
			return false
		}
	}
	return true
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

// finish stops the progress line and reports the run on stderr (the JSON
// report is printed by the caller). It returns err.
func (s *saver) finish(err error) error {
	s.prog.stop()
	s.sum.ElapsedMS = time.Since(s.start).Milliseconds()
	if s.out.quiet || s.out.json {
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
	switch {
	case s.out.output == "-":
		b.WriteString(" written to stdout")
	case s.out.output != "":
		fmt.Fprintf(&b, " written")
	default:
		fmt.Fprintf(&b, " written to %s", s.out.dir)
	}
	fmt.Fprintf(&b, " in %v", time.Duration(s.sum.ElapsedMS)*time.Millisecond)
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
		switch {
		case f.Width > 0:
			details = append(details, fmt.Sprintf("%dx%d %s", f.Width, f.Height, f.Format))
		case s.sum.Size != "" && s.sum.Size != string(wrapper.SizeAuto):
			details = append(details, s.sum.Size+" "+f.Format)
		default:
			details = append(details, f.Format)
		}
		if f.Frames > 1 {
			details = append(details, plural(f.Frames, "frame"))
		}
	}
	if q := s.sum.Quality; q != "" && q != string(wrapper.QualityAuto) {
		details = append(details, "quality "+q)
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
