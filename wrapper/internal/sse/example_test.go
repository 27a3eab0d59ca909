package sse_test

import (
	"errors"
	"fmt"
	"io"
	"strings"

	"github.com/imagegen-go/openai-images/wrapper/internal/sse"
)

func Example() {
	stream := strings.NewReader(": keep-alive\n" +
		"event: image_generation.partial_image\n" +
		"data: {\"partial_image_index\":0}\n" +
		"\n" +
		"id: 42\n" +
		"data: first line\n" +
		"data: second line\n" +
		"\n" +
		"event: image_generation.completed\n" +
		"data: {\"type\":\"image_generation.comp") // cut off

	d := sse.NewDecoder(stream)
	for {
		ev, err := d.Next()
		if err == io.EOF {
			fmt.Println("clean end of stream")
			break
		}
		if errors.Is(err, sse.ErrUnterminatedEvent) {
			fmt.Println("stream truncated:", err)
			break
		}
		if err != nil {
			fmt.Println("error:", err)
			break
		}
		typ := ev.Type
		if typ == "" {
			typ = sse.DefaultEventType
		}
		fmt.Printf("%s id=%q data=%q\n", typ, ev.ID, ev.Data)
	}
	// Output:
	// image_generation.partial_image id="" data="{\"partial_image_index\":0}"
	// message id="42" data="first line\nsecond line"
	// stream truncated: sse: stream ended in the middle of an event
}
