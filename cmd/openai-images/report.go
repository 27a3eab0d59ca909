package main

import (
	"context"
	"errors"
	"io/fs"
	"net"
	"strings"

	"github.com/imagegen-go/openai-images/wrapper"
)

// errorJSON is the "error" object of --json output.
type errorJSON struct {
	// Kind sorts the failure: usage, validation (exit 2: nothing was
	// sent); api, image, stream, network, file, batch, other (exit 1);
	// interrupted (exit 130).
	Kind    string `json:"kind"`
	Message string `json:"message"`
	// Code is the API's error code, or this program's for a usage error
	// (missing_api_key, ambiguous_environment, batch_items_changed).
	Code string `json:"code,omitempty"`
	// Status, Type, Param and RequestID come from the API's answer.
	Status    int    `json:"status,omitempty"`
	Type      string `json:"type,omitempty"`
	Param     string `json:"param,omitempty"`
	RequestID string `json:"request_id,omitempty"`
	// Suggestion is a likely fix ("did you mean --model gpt-image-1.5?").
	Suggestion string `json:"suggestion,omitempty"`
	// Problems list the parameters refused before sending.
	Problems []problemJSON `json:"problems,omitempty"`
}

// problemJSON is one parameter refused before sending.
type problemJSON struct {
	// Item and Line name the batch item (batch only).
	Item string `json:"item,omitempty"`
	Line int    `json:"line,omitempty"`
	// Field is the parameter's API name ("image[1]"), Flag the flag
	// that sets it ("--image #2").
	Field      string `json:"field,omitempty"`
	Flag       string `json:"flag,omitempty"`
	Value      string `json:"value,omitempty"`
	Rule       string `json:"rule"`
	Allowed    string `json:"allowed,omitempty"`
	Suggestion string `json:"suggestion,omitempty"`
}

// Error kinds.
const (
	kindUsage       = "usage"
	kindValidation  = "validation"
	kindAPI         = "api"
	kindImage       = "image" // an image that is not what the response declared
	kindStream      = "stream"
	kindNetwork     = "network"
	kindFile        = "file"
	kindBatch       = "batch"
	kindInterrupted = "interrupted"
	kindOther       = "other"
)

// errorInfo describes the error that ended a run; ctx tells an
// interruption.
func (inv *invocation) errorInfo(ctx context.Context, err error) *errorJSON {
	e := errorInfo(err)
	var ue *usageError
	var ve *wrapper.ValidationError
	switch {
	case errors.As(err, &ue), errors.As(err, &ve):
	case ctx.Err() != nil:
		e.Kind = kindInterrupted
	case errors.Is(err, errReported):
		e.Kind, e.Message = kindBatch, "batch items failed or were not run (see items)"
	}
	return e
}

// errorInfo describes an error for --json.
func errorInfo(err error) *errorJSON {
	e := &errorJSON{Kind: kindOther, Message: strings.TrimPrefix(err.Error(), "openai-images: ")}
	var ue *usageError
	var ve *wrapper.ValidationError
	var formatErr *wrapper.ImageFormatError
	var apiErr *wrapper.APIError
	var streamErr *wrapper.StreamError
	var decodeErr *wrapper.EventDecodeError
	var opErr *wrapper.OperationError
	var netErr net.Error
	var pathErr *fs.PathError
	switch {
	case errors.As(err, &ue):
		e.Kind, e.Code, e.Problems = kindUsage, ue.code, ue.problems
		if ue.kind != "" {
			e.Kind = ue.kind
		}
	case errors.As(err, &ve):
		// The message of stderr, in flags, not the library's.
		e.Kind, e.Message = kindValidation, strings.TrimSuffix(strings.TrimPrefix(formatValidation(ve), "openai-images: "), "\n")
		for _, p := range ve.Problems {
			e.Problems = append(e.Problems, problemJSON{Field: p.Field, Flag: flagName(p.Field), Value: p.Value,
				Rule: inFlags(p.Rule), Allowed: inFlags(p.Allowed), Suggestion: suggestion(p)})
		}
	case errors.As(err, &formatErr):
		e.Kind = kindImage
	case errors.As(err, &apiErr):
		e.Kind = kindAPI
		e.Status, e.Type, e.Code, e.Param, e.RequestID = apiErr.StatusCode, apiErr.Type, apiErr.Code, apiErr.Param, apiErr.RequestID
	case errors.As(err, &streamErr):
		e.Kind, e.Type, e.Code, e.Param = kindStream, streamErr.Type, streamErr.Code, streamErr.Param
	case errors.Is(err, wrapper.ErrTruncatedStream), errors.As(err, &decodeErr):
		e.Kind = kindStream
	case errors.As(err, &opErr):
		e.Kind = kindNetwork
	case errors.As(err, &pathErr): // before net.Error, which a syscall.Errno is
		e.Kind = kindFile
	case errors.As(err, &netErr), errors.Is(err, context.DeadlineExceeded):
		e.Kind = kindNetwork
	}
	return e
}

// jsonHelp is "openai-images help json": the --json schema.
const jsonHelp = `With --json, every command but serve prints exactly one JSON object on stdout
when it ends, whether it succeeded or failed, and nothing else there (messages
go to stderr). Fields are added in later versions, never renamed or removed.

Every object has:
  command      the command ("generate", "edit", "vary", "batch"; "" when none was given,
               as when the line starts with a flag; an unknown one as given)
  exit_code    the exit status: 0, 1, 2 or 130
  error        present when exit_code is not 0:
    kind         usage or validation (exit 2, nothing was sent); api, image
                 (an image that is not what the response declared, or a
                 broken GIF or SVG: not written), stream, network, file,
                 batch or other (exit 1); interrupted (exit 130)
    message      the message shown on stderr
    code         the API's error code, or missing_api_key, ambiguous_environment,
                 batch_items_changed
    status, type, param, request_id   from the API's error answer
    suggestion   a likely fix, such as "did you mean --model gpt-image-1.5?"
    problems     parameters refused before sending, each with field (API name),
                 flag, value, rule, allowed, suggestion; item and line in a batch

generate, edit and vary add:
  model, size, quality, background, output_format   as asked, or as the API echoed them
  stream       true for a streamed call
  created      when the API made the images (RFC 3339)
  request_id   the x-request-id of the call
  files        the files written, in order, even after a failure: each with path,
               image (from 1), partial_image_index (streamed partial images only),
               format (png, jpeg, webp, gif, svg), width, height (an SVG's own,
               0 when it gives none), frames (GIF), bytes, revised_prompt (dall-e-3)
  revised_prompts   the prompts dall-e-3 rewrote, in image order
  usage        input_tokens, input_text_tokens, input_image_tokens,
               output_tokens, output_text_tokens, output_image_tokens, total_tokens
  svg_usage    SVG output: the tokens of the model that wrote the SVG, apart from
               usage: model, input_tokens, output_tokens, reasoning_tokens,
               total_tokens
  safety_identifier   the safety identifier the API used (--safety-identifier,
               else the deprecated --user), when it reports one
  elapsed_ms   how long the run took

batch adds:
  file, mode ("local" or "batch_api"), out, manifest
  batch_id, batch_status   the Batch API batch (batch_api mode)
  items        one per item of the file, in file order ([] when the file could not
               be read): id, line, status (ok: done now; skipped: done by an
               earlier run; failed; not_run: not reached, or the run ended
               before the items ran; invalid: refused before the first request,
               nothing being sent), files, request_id, attempts, error (of an
               invalid item: its problems). A line that is not an item (bad
               JSON, an unknown field) is an entry too: invalid, id "".
  totals       items, succeeded, failed, skipped, not_run, invalid (present when
               not 0)
  rate_limited the 429 answers of a local run
  elapsed_ms

Example:
  openai-images generate --json -m gpt-image-1.5 "a kite" | jq -r '.files[0].path'
`
