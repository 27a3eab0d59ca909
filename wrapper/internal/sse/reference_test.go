package sse

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"strings"
	"time"
)

// This file holds a deliberately naive decoder that follows the wording of
// the WHATWG event-stream interpretation rules on a whole input held in
// memory, and helpers to record what a Decoder produces in the same form,
// so that tests and the fuzzer can compare the two.

// record is everything observable about decoding one stream.
type record struct {
	Log      []string // events ("E type=... id=... data=...") and comments ("C ...") in order
	LastID   string
	Retry    time.Duration
	HasRetry bool
	End      string // "EOF", "unterminated", "too large <limit>" or another error's text
}

func (r record) String() string {
	var b strings.Builder
	for _, l := range r.Log {
		fmt.Fprintf(&b, "%s\n", l)
	}
	fmt.Fprintf(&b, "lastID=%q retry=%v/%v end=%s", r.LastID, r.Retry, r.HasRetry, r.End)
	return b.String()
}

func eventLine(ev Event) string {
	return fmt.Sprintf("E type=%q id=%q data=%q", ev.Type, ev.ID, ev.Data)
}

func commentLine(c string) string { return fmt.Sprintf("C %q", c) }

func endString(err error) string {
	var tl *EventTooLargeError
	switch {
	case err == io.EOF:
		return "EOF"
	case errors.Is(err, ErrUnterminatedEvent):
		return "unterminated"
	case errors.As(err, &tl):
		return fmt.Sprintf("too large %d", tl.Limit)
	default:
		return err.Error()
	}
}

// withTiny makes a decoder use a 7-byte read buffer, read long data lines
// directly into the data buffer whenever it has any room and hold data of
// more than 5 bytes in 5-byte chunks, so that small inputs exercise the
// code paths meant for large ones.
func withTiny() Option {
	return func(d *Decoder) {
		d.buf = make([]byte, 7)
		d.directMin = 1
		d.chunkSize = 5
	}
}

// withChunkSize makes a decoder hold data of more than n bytes in chunks
// of n bytes.
func withChunkSize(n int) Option {
	return func(d *Decoder) { d.chunkSize = n }
}

// decodeAll runs a Decoder over r until it fails and records the result.
// It also checks that the error is sticky.
func decodeAll(r io.Reader, opts ...Option) (record, error) {
	return decodeAllWith(r, false, opts...)
}

// decodeAllTo is decodeAll with every event read by NextTo into a buffer.
func decodeAllTo(r io.Reader, opts ...Option) (record, error) {
	return decodeAllWith(r, true, opts...)
}

func decodeAllWith(r io.Reader, to bool, opts ...Option) (record, error) {
	var rec record
	opts = append(opts, WithCommentFunc(func(c string) { rec.Log = append(rec.Log, commentLine(c)) }))
	d := NewDecoder(r, opts...)
	var buf bytes.Buffer
	for {
		var ev Event
		var err error
		if to {
			buf.Reset()
			ev, err = d.NextTo(&buf)
			if err == nil && ev.Data != nil {
				return rec, fmt.Errorf("NextTo returned data %q", ev.Data)
			}
			ev.Data = buf.Bytes()
		} else {
			ev, err = d.Next()
		}
		if err != nil {
			if _, err2 := d.Next(); err2 != err {
				return rec, fmt.Errorf("error not sticky: %v then %v", err, err2)
			}
			rec.End = endString(err)
			break
		}
		rec.Log = append(rec.Log, eventLine(ev))
	}
	rec.LastID = d.LastEventID()
	rec.Retry, rec.HasRetry = d.Retry()
	return rec, nil
}

// reference decodes input according to the standard, the simple way.
func reference(input []byte) record {
	var (
		rec       record
		data      []byte
		hasData   bool
		eventType string
		idBuf     string
		open      bool
	)
	input = bytes.TrimPrefix(input, []byte("\xEF\xBB\xBF"))
	for {
		i := bytes.IndexAny(input, "\r\n")
		if i < 0 {
			break
		}
		line := input[:i]
		if input[i] == '\r' && i+1 < len(input) && input[i+1] == '\n' {
			input = input[i+2:]
		} else {
			input = input[i+1:]
		}
		switch {
		case len(line) == 0:
			rec.LastID = idBuf
			open = false
			if hasData {
				rec.Log = append(rec.Log, eventLine(Event{Type: eventType, Data: data, ID: rec.LastID}))
			}
			data, hasData, eventType = nil, false, ""
		case line[0] == ':':
			rec.Log = append(rec.Log, commentLine(string(line[1:])))
		default:
			open = true
			name, value, found := bytes.Cut(line, []byte(":"))
			if found {
				value = bytes.TrimPrefix(value, []byte(" "))
			}
			switch string(name) {
			case "event":
				eventType = string(value)
			case "data":
				if hasData {
					data = append(data, '\n')
				}
				data = append(data, value...)
				hasData = true
			case "id":
				if bytes.IndexByte(value, 0) < 0 {
					idBuf = string(value)
				}
			case "retry":
				if len(value) > 0 && len(bytes.Trim(value, "0123456789")) == 0 {
					var ms int64
					for _, c := range value {
						ms = min(ms*10+int64(c-'0'), maxRetryMillis)
					}
					rec.Retry, rec.HasRetry = time.Duration(ms)*time.Millisecond, true
				}
			}
		}
	}
	if len(input) > 0 && input[0] != ':' {
		open = true
	}
	rec.End = "EOF"
	if open {
		rec.End = "unterminated"
	}
	return rec
}
