// Package sse decodes the framing of a Server-Sent Events stream
// (media type text/event-stream) into events.
//
// It implements the event-stream interpretation rules of the WHATWG HTML
// standard ("Server-sent events", section 9.2.6) and nothing else: it knows
// nothing about HTTP, reconnection or the payloads carried in the events.
//
// # Parsing rules
//
//   - A single UTF-8 byte order mark (EF BB BF) at the very start of the
//     stream is skipped. A BOM anywhere else is ordinary content.
//   - Lines end with CR, LF or CRLF. A CRLF pair counts as one line end even
//     when the CR and the LF arrive in different reads.
//   - A line starting with ':' is a comment. Comments are ignored unless a
//     callback is installed with [WithCommentFunc].
//   - Any other non-empty line is a field. "name:value" splits at the first
//     colon and one space directly after the colon is removed from the
//     value. A line without a colon is a field name with an empty value.
//   - Field "event" sets the event type; "data" appends its value to the data
//     buffer (several data lines are joined with "\n"); "id" sets the last
//     event ID unless the value contains a NUL byte; "retry" sets the
//     reconnection time in milliseconds if the value consists only of ASCII
//     digits (otherwise it is ignored). Other field names are ignored.
//   - An empty line dispatches the event. If no data line was seen since
//     the previous dispatch, nothing is dispatched and the event type is
//     reset. The last event ID persists from event to event.
//   - Bytes are passed through verbatim: the decoder does not validate UTF-8
//     or replace invalid sequences with U+FFFD.
//
// # End of stream
//
// An event is only delivered once its terminating empty line has been read;
// an event cut off by the end of the stream is never returned. To let
// callers tell a complete stream from a truncated one, [Decoder.Next]
// returns:
//
//   - [io.EOF] when the stream ends at an event boundary, that is after an
//     empty line, or with only comments (or nothing) since the last one;
//   - an error for which errors.Is(err, [ErrUnterminatedEvent]) holds when
//     the stream ends while an event is still open: at least one field line
//     (of any name, complete or not) has been read since the last empty line;
//   - any other error from the underlying reader unchanged;
//   - an [*EventTooLargeError] when an event exceeds the size limit set with
//     [WithMaxEventSize] (default [DefaultMaxEventSize]).
//
// All these errors are sticky: every later call to Next returns the same
// error until [Decoder.Reset] is called.
//
// # Memory and speed
//
// The decoder has no line length limit other than the event size limit,
// and its running time is linear in the size of the input, however it is
// split into reads. Long data lines are read straight from the underlying
// reader into the event's data buffer. Up to 256 KiB that is one buffer,
// grown by doubling; a larger event is read into a list of 256 KiB chunks
// that are copied once, when the event is dispatched, into a new slice of
// exactly the event's size. An event with n bytes of data thus costs at
// most about 2n bytes of allocation plus a constant below 1 MiB, whatever
// n is.
//
// [Decoder.NextTo] holds no data at all: it writes each event's data to a
// writer as it is read (the wrapper's image scanner), for events larger than
// anyone wants to hold.
//
// By default every returned [Event] owns its Data slice: the decoder never
// reuses or modifies it, so callers may keep it, and the decoder keeps no
// data buffer of its own between events. With [WithDataReuse]
// the decoder instead keeps one data buffer for all events (like
// bufio.Scanner.Bytes), which avoids allocating fresh memory per event but
// makes Data valid only until the next call to Next. That buffer is
// replaced by the data of any larger event, so a stream of events no larger
// than one already seen allocates nothing, and a larger event costs no
// more than without the option.
package sse
