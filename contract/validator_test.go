package contract

import (
	"errors"
	"io"
	"net/http"
	"os"
	"strings"
	"sync"
	"testing"
)

func TestNewOptions(t *testing.T) {
	for name, opt := range map[string]Option{
		"empty spec":       WithSpec(nil),
		"relative base":    WithBasePath("v1"),
		"zero limit":       WithBodyMemoryLimit(0),
		"nil handler":      WithResponseErrorHandler(nil),
		"invalid document": WithSpec([]byte("openapi: 3.1.0\ninfo: {}\npaths: {}\n")),
	} {
		t.Run(name, func(t *testing.T) {
			if _, err := New(opt); err == nil {
				t.Fatal("New succeeded, want an error")
			}
		})
	}
}

func TestWithSpec(t *testing.T) {
	spec := `openapi: 3.1.0
info: {title: t, version: "1"}
paths:
  /things:
    post:
      operationId: createThing
      requestBody:
        required: true
        content:
          application/json:
            schema:
              type: object
              required: [name]
              properties:
                name: {type: string}
      responses:
        "200": {description: OK}
`
	v := newValidator(t, WithSpec([]byte(spec)))
	noError(t, v.ValidateRequest(jsonRequest(t, "http://x/things", `{"name":"a"}`)))
	wantViolation(t, v.ValidateRequest(jsonRequest(t, "http://x/things", `{}`)), InBody, "name")
	if _, err := New(WithSpec([]byte(spec))); err != nil {
		t.Fatal(err)
	}
}

func TestValidateRequestJSON(t *testing.T) {
	v := newValidator(t)
	valid := []string{
		`{"prompt":"a cat"}`,
		`{"prompt":"a cat","model":"gpt-image-1.5","n":2,"quality":"high","size":"1536x1024","background":"transparent","output_format":"webp","output_compression":80,"moderation":"low","stream":true,"partial_images":2,"user":"u1"}`,
		`{"prompt":"a cat","model":"some-future-model","size":"1536x864"}`, // model and size are open strings
		`{"prompt":"a cat","partial_images":null}`,                         // anyOf [integer, null]
		`{"prompt":"a cat","future_field":1}`,                              // the schema allows extra fields
	}
	for _, body := range valid {
		noError(t, v.ValidateRequest(jsonRequest(t, genURL, body)))
	}
	invalid := []struct{ body, field string }{
		{`{"n":1}`, "prompt"},
		{`{"prompt":"a cat","n":"two"}`, "n"},
		{`{"prompt":"a cat","n":11}`, "n"},
		{`{"prompt":"a cat","n":1.5}`, "n"},
		{`{"prompt":"a cat","quality":"not-a-quality"}`, "quality"},
		{`{"prompt":"a cat","response_format":"not-a-format"}`, "response_format"},
		{`{"prompt":"a cat","partial_images":4}`, "partial_images"},
		{`{"prompt":"a cat","stream":"yes"}`, "stream"},
		{`{"prompt":5}`, "prompt"},
	}
	for _, c := range invalid {
		t.Run(c.body, func(t *testing.T) {
			e := wantViolation(t, v.ValidateRequest(jsonRequest(t, genURL, c.body)), InBody, c.field)
			if e.Op != "request" || e.Operation != "createImage" {
				t.Errorf("Op, Operation = %q, %q", e.Op, e.Operation)
			}
		})
	}
}

func TestErrorMessage(t *testing.T) {
	v := newValidator(t)
	err := v.ValidateRequest(jsonRequest(t, genURL, `{"prompt":"a cat","n":"two"}`))
	const want = `request createImage: body field "n": value must be an integer`
	if err == nil || err.Error() != want {
		t.Fatalf("got %v, want %s", err, want)
	}
	err = v.ValidateRequest(jsonRequest(t, genURL, `{"prompt":"a cat","partial_images":7}`))
	if err == nil || !strings.Contains(err.Error(), "at most 3") {
		t.Fatalf("got %v, want the anyOf branches explained", err)
	}
}

func TestNullable(t *testing.T) {
	body := `{"prompt":"a cat","n":null,"quality":null}`
	// The 3.1 default: nullable is an unknown keyword.
	e := wantViolation(t, newValidator(t).ValidateRequest(jsonRequest(t, genURL, body)), InBody, "n")
	if !strings.Contains(e.Message, "WithNullable") {
		t.Errorf("message %q does not point to WithNullable", e.Message)
	}
	noError(t, newValidator(t, WithNullable()).ValidateRequest(jsonRequest(t, genURL, body)))
	// Still typed with WithNullable.
	wantViolation(t, newValidator(t, WithNullable()).ValidateRequest(jsonRequest(t, genURL, `{"prompt":"a cat","n":"two"}`)), InBody, "n")
	// The JSON edit's schema says anyOf [..., null]: null passes either way.
	editBody := `{"prompt":"x","images":[{"file_id":"file-1"}],"n":null,"quality":null,"size":null}`
	noError(t, newValidator(t).ValidateRequest(jsonRequest(t, editURL, editBody)))
	noError(t, newValidator(t, WithNullable()).ValidateRequest(jsonRequest(t, editURL, editBody)))
}

func TestValidateRequestJSONEdit(t *testing.T) {
	v := newValidator(t)
	for _, body := range []string{
		`{"prompt":"x","images":[{"image_url":"https://example.com/a.png"}]}`,
		`{"prompt":"x","images":[{"image_url":"data:image/png;base64,iVBORw0KGgo="}]}`,
		`{"prompt":"x","images":[{"file_id":"file-1"},{"file_id":"file-2"}],"mask":{"file_id":"file-m"},"quality":"high","output_format":"png","output_compression":100}`,
	} {
		noError(t, v.ValidateRequest(jsonRequest(t, editURL, body)))
	}
	for _, c := range []struct{ body, field, msg string }{
		{`{"prompt":"x","images":[{"image_url":"https://example.com/a.png","file_id":"file-1"}]}`, "images[0]", "must not all be set"},
		{`{"prompt":"x","images":[{}]}`, "images[0]", "image_url"},
		{`{"prompt":"x","images":[{"file_id":"f","url":"u"}]}`, "images[0].url", "unknown field"},
		{`{"prompt":"x","images":[{"image_url":"not a url"}]}`, "images[0].image_url", "uri"},
		{`{"prompt":"x","images":[]}`, "images", "items"},
		{`{"prompt":"x"}`, "images", "missing"},
		{`{"images":[{"file_id":"f"}]}`, "prompt", "missing"},
		{`{"prompt":"x","images":[{"file_id":"f"}],"quality":"not-a-quality"}`, "quality", "must be one of"},
		{`{"prompt":"x","images":[{"file_id":"f"}],"mask":{"image_url":"https://a/m.png","file_id":"f"}}`, "mask", "must not all be set"},
	} {
		t.Run(c.body, func(t *testing.T) {
			e := wantViolation(t, v.ValidateRequest(jsonRequest(t, editURL, c.body)), InBody, c.field)
			if !strings.Contains(e.Message, c.msg) {
				t.Errorf("message %q does not contain %q", e.Message, c.msg)
			}
		})
	}
}

func TestBadBodies(t *testing.T) {
	v := newValidator(t)
	wantViolation(t, v.ValidateRequest(jsonRequest(t, genURL, `{"prompt":`)), InBody, "")
	wantViolation(t, v.ValidateRequest(jsonRequest(t, genURL, `{"prompt":"x"} {}`)), InBody, "")
	wantViolation(t, v.ValidateRequest(jsonRequest(t, genURL, ``)), InBody, "")
	wantViolation(t, v.ValidateRequest(jsonRequest(t, genURL, `[1]`)), InBody, "")

	r := jsonRequest(t, genURL, `{"prompt":"x"}`)
	r.Header.Set("Content-Type", "text/plain")
	wantViolation(t, v.ValidateRequest(r), InHeader, "Content-Type")
	r.Header.Del("Content-Type")
	wantViolation(t, v.ValidateRequest(r), InHeader, "Content-Type")

	r, _ = http.NewRequest(http.MethodPost, genURL, nil)
	r.Header.Set("Authorization", "Bearer k")
	wantViolation(t, v.ValidateRequest(r), InBody, "")

	// JSON with a charset parameter is JSON.
	r = jsonRequest(t, genURL, `{"prompt":"x"}`)
	r.Header.Set("Content-Type", "application/json; charset=utf-8")
	noError(t, v.ValidateRequest(r))
}

func TestSecurity(t *testing.T) {
	v := newValidator(t)
	for _, auth := range []string{"", "Bearer", "Bearer ", "Basic abc", "sk-test"} {
		r := jsonRequest(t, genURL, `{"prompt":"x"}`)
		r.Header.Set("Authorization", auth)
		err := v.ValidateRequest(r)
		wantViolation(t, err, InHeader, "Authorization")
		if !errors.Is(err, ErrUnauthorized) {
			t.Errorf("%q: error %v is not ErrUnauthorized", auth, err)
		}
		if auth != "" && strings.Contains(err.Error(), auth) {
			t.Errorf("error %q quotes the credentials", err)
		}
	}
	r := jsonRequest(t, genURL, `{"prompt":"x"}`)
	r.Header.Set("Authorization", "bearer sk-x")
	noError(t, v.ValidateRequest(r))

	r.Header.Del("Authorization")
	noError(t, newValidator(t, WithoutSecurity()).ValidateRequest(r))
}

func TestRouting(t *testing.T) {
	v := newValidator(t)
	for _, url := range []string{
		"http://127.0.0.1:8080/v1/images/generations",
		"http://127.0.0.1:8080/images/generations",
		"https://api.openai.com/v1/images/generations",
		"http://proxy.test/openai/v1/images/generations",
		"http://h/images/generations?trace=1",
	} {
		t.Run(url, func(t *testing.T) {
			noError(t, v.ValidateRequest(jsonRequest(t, url, `{"prompt":"x"}`)))
			e := wantViolation(t, v.ValidateRequest(jsonRequest(t, url, `{"prompt":"x","n":"two"}`)), InBody, "n")
			if e.Operation != "createImage" {
				t.Errorf("Operation = %q", e.Operation)
			}
		})
	}
	for _, url := range []string{"http://h/v1/images", "http://h/v1/images/generations/x", "http://h/", "http://h/v1/images/generation"} {
		err := v.ValidateRequest(jsonRequest(t, url, `{"prompt":"x"}`))
		if !errors.Is(err, ErrNoOperation) {
			t.Errorf("%s: got %v, want ErrNoOperation", url, err)
		}
	}
	r := jsonRequest(t, genURL, `{"prompt":"x"}`)
	r.Method = http.MethodGet
	if err := v.ValidateRequest(r); !errors.Is(err, ErrNoOperation) || !strings.Contains(err.Error(), "not allowed") {
		t.Errorf("GET: got %v", err)
	}
}

func TestWithBasePath(t *testing.T) {
	v := newValidator(t, WithBasePath("/v1/"))
	noError(t, v.ValidateRequest(jsonRequest(t, "http://h/v1/images/generations", `{"prompt":"x"}`)))
	for _, url := range []string{"http://h/images/generations", "http://h/v2/images/generations", "http://h/v1x/images/generations", "http://h/x/v1/images/generations"} {
		if err := v.ValidateRequest(jsonRequest(t, url, `{"prompt":"x"}`)); !errors.Is(err, ErrNoOperation) {
			t.Errorf("%s: got %v, want ErrNoOperation", url, err)
		}
	}
	v = newValidator(t, WithBasePath("/"))
	noError(t, v.ValidateRequest(jsonRequest(t, "http://h/images/generations", `{"prompt":"x"}`)))
	if err := v.ValidateRequest(jsonRequest(t, "http://h/v1/images/generations", `{"prompt":"x"}`)); !errors.Is(err, ErrNoOperation) {
		t.Errorf("got %v, want ErrNoOperation", err)
	}
}

func TestRequestBodyRestored(t *testing.T) {
	v := newValidator(t)
	for _, body := range []string{`{"prompt":"x"}`, `{"prompt":"x","n":"two"}`, `{"prompt":`} {
		r := jsonRequest(t, genURL, body)
		v.ValidateRequest(r)
		got, err := io.ReadAll(r.Body)
		noError(t, err)
		if string(got) != body {
			t.Errorf("body after validation = %q, want %q", got, body)
		}
		r.Body.Close()
	}
}

func TestRequestBodySpooled(t *testing.T) {
	dir := t.TempDir()
	t.Setenv("TMPDIR", dir)
	v := newValidator(t, WithBodyMemoryLimit(1024))
	body, ct := multipartBody(t, field("prompt", "x"), file("image", "a.png", 100_000), file("mask", "m.png", 5000))
	r, _ := http.NewRequest(http.MethodPost, editURL, strings.NewReader(string(body)))
	r.Header.Set("Content-Type", ct)
	r.Header.Set("Authorization", "Bearer k")
	noError(t, v.ValidateRequest(r))
	if files, _ := os.ReadDir(dir); len(files) != 1 {
		t.Fatalf("%d spool files, want 1", len(files))
	}
	got, err := io.ReadAll(r.Body)
	noError(t, err)
	if string(got) != string(body) {
		t.Fatalf("restored body differs (%d bytes, want %d)", len(got), len(body))
	}
	noError(t, r.Body.Close())
	if files, _ := os.ReadDir(dir); len(files) != 0 {
		t.Fatalf("%d spool files left after Close", len(files))
	}
}

// errAfter fails after returning its data.
type errAfter struct {
	r   io.Reader
	err error
}

func (e *errAfter) Read(p []byte) (int, error) {
	n, err := e.r.Read(p)
	if err == io.EOF {
		return n, e.err
	}
	return n, err
}

func TestRequestBodyReadError(t *testing.T) {
	v := newValidator(t)
	boom := errors.New("connection reset")
	r := jsonRequest(t, genURL, "")
	r.Body = io.NopCloser(&errAfter{strings.NewReader(`{"prompt":"x"`), boom})
	err := v.ValidateRequest(r)
	if err == nil {
		t.Fatal("no error")
	}
	// The handler sees the same failure.
	got, rerr := io.ReadAll(r.Body)
	if !errors.Is(rerr, boom) || string(got) != `{"prompt":"x"` {
		t.Fatalf("restored body: %q, %v", got, rerr)
	}
}

func TestValidateResponseJSON(t *testing.T) {
	v := newValidator(t)
	req := jsonRequest(t, genURL, `{"prompt":"x"}`)
	noError(t, v.ValidateResponse(req, response(200, "application/json", imagesJSON)))
	noError(t, v.ValidateResponse(req, response(200, "application/json", `{"created":1}`)))
	noError(t, v.ValidateResponse(req, response(200, "application/json", `{"created":1,"data":[{"url":"https://example.com/a.png","revised_prompt":"p"}]}`)))

	for _, c := range []struct{ body, field string }{
		{`{"created":"1700000000"}`, "created"},
		{`{"data":[]}`, "created"},
		{`{"created":1,"data":[{"url":5}]}`, "data[0].url"},
		{`{"created":1,"quality":"not-a-quality"}`, "quality"},
		{`{"created":1,"usage":{"input_tokens":1,"total_tokens":1,"output_tokens":0}}`, "usage.input_tokens_details"},
	} {
		t.Run(c.body, func(t *testing.T) {
			e := wantViolation(t, v.ValidateResponse(req, response(200, "application/json", c.body)), InBody, c.field)
			if e.Op != "response" || e.Operation != "createImage" {
				t.Errorf("Op, Operation = %q, %q", e.Op, e.Operation)
			}
		})
	}
	wantViolation(t, v.ValidateResponse(req, response(200, "application/json", `{"created":`)), InBody, "")
	wantViolation(t, v.ValidateResponse(req, response(200, "application/json", ``)), InBody, "")
	wantViolation(t, v.ValidateResponse(req, response(200, "text/html", `<p>`)), InHeader, "Content-Type")
	wantViolation(t, v.ValidateResponse(req, response(200, "", imagesJSON)), InHeader, "Content-Type")
	// text/event-stream is not declared for variations.
	wantViolation(t, v.ValidateResponse(jsonRequest(t, variationURL, ""), response(200, "text/event-stream", sse(genCompleted))), InHeader, "Content-Type")

	// Undeclared statuses (API errors) are not checked.
	noError(t, v.ValidateResponse(req, response(400, "application/json", `{"error":{"message":"bad","type":"invalid_request_error","param":"n","code":null}}`)))
	noError(t, v.ValidateResponse(req, response(500, "text/plain", `oops`)))

	// The body can be read again.
	resp := response(200, "application/json", imagesJSON)
	noError(t, v.ValidateResponse(req, resp))
	got, _ := io.ReadAll(resp.Body)
	if string(got) != imagesJSON {
		t.Fatalf("restored body = %q", got)
	}
}

func TestValidatorConcurrent(t *testing.T) {
	v := newValidator(t)
	var wg sync.WaitGroup
	for i := range 16 {
		wg.Go(func() {
			for range 10 {
				if i%2 == 0 {
					if err := v.ValidateRequest(jsonRequest(t, genURL, `{"prompt":"x","n":2}`)); err != nil {
						t.Error(err)
					}
				} else {
					err := v.ValidateRequest(multipartRequest(t, editURL, field("prompt", "x"), file("image[]", "a.png", 64), file("image[]", "b.png", 64), field("n", "two")))
					if err == nil {
						t.Error("invalid request passed")
					}
				}
				if err := v.ValidateResponse(jsonRequest(t, editURL, ""), response(200, "text/event-stream", sse(editPartial, editCompleted))); err != nil {
					t.Error(err)
				}
			}
		})
	}
	wg.Wait()
}

// TestMessagesOmitValues checks that messages say what is allowed without
// quoting what was sent, from either of kin-openapi's validators.
func TestMessagesOmitValues(t *testing.T) {
	spec := `openapi: 3.1.0
info: {title: t, version: "1"}
paths:
  /things:
    post:
      operationId: createThing
      requestBody:
        required: true
        content:
          application/json:
            schema:
              type: object
              properties:
                u: {type: string, format: uri}
                p: {type: string, pattern: "^[a-z]+$"}
                n: {type: integer, maximum: 3}
      responses:
        "200": {description: OK}
`
	v := newValidator(t, WithSpec([]byte(spec)), WithoutSecurity())
	for _, c := range []struct{ body, field string }{
		{`{"u":"SECRET value"}`, "u"},
		{`{"p":"SECRET"}`, "p"},
		{`{"n":"SECRET"}`, "n"},
		{`{"n":987654}`, "n"},
	} {
		err := v.ValidateRequest(jsonRequest(t, "http://x/things", c.body))
		wantViolation(t, err, InBody, c.field)
		if strings.Contains(err.Error(), "SECRET") || strings.Contains(err.Error(), "987654") {
			t.Errorf("%s: message quotes the value: %v", c.body, err)
		}
	}
	// The OpenAI schemas, through kin-openapi's own validator.
	err := newValidator(t).ValidateRequest(jsonRequest(t, editURL, `{"prompt":"x","images":[{"image_url":"SECRET"}]}`))
	wantViolation(t, err, InBody, "images[0].image_url")
	if strings.Contains(err.Error(), "SECRET") {
		t.Errorf("message quotes the value: %v", err)
	}
}

// TestJSONBodyAroundMemoryLimit checks that a JSON body gets the same
// verdict and is restored byte for byte whether it fits in memory, fills it
// exactly, or goes on in the spool's file.
func TestJSONBodyAroundMemoryLimit(t *testing.T) {
	t.Setenv("TMPDIR", t.TempDir())
	bodies := map[string]string{
		`{"prompt":"` + strings.Repeat("a", 300) + `","n":2}`:    "",
		`{"prompt":"` + strings.Repeat("a", 300) + `","n":"2"}`:  `request createImage: body field "n": value must be an integer`,
		`{"prompt":"` + strings.Repeat("a", 300) + `"} {}`:       "request createImage: body: not valid JSON: unexpected data after the JSON value",
		`{"prompt":"` + strings.Repeat("a", 300) + `"`:           "request createImage: body: not valid JSON: unexpected end of JSON input",
		`{"prompt":"` + strings.Repeat("a", 300) + `"}` + "\n\n": "",
		"  \n": "request createImage: body: required, but the request has none",
	}
	for body, want := range bodies {
		for _, limit := range []int64{1, 64, int64(len(body)) - 1, int64(len(body)), int64(len(body)) + 1, 8 << 20} {
			if limit < 1 {
				continue
			}
			v := newValidator(t, WithBodyMemoryLimit(limit))
			r := jsonRequest(t, genURL, body)
			got := ""
			if err := v.ValidateRequest(r); err != nil {
				got = err.Error()
			}
			if got != want {
				t.Errorf("limit %d, body %.20q: got %q, want %q", limit, body, got, want)
			}
			restored, err := io.ReadAll(r.Body)
			noError(t, err)
			noError(t, r.Body.Close())
			if string(restored) != body {
				t.Errorf("limit %d: restored body differs", limit)
			}
		}
	}
	if files, _ := os.ReadDir(os.Getenv("TMPDIR")); len(files) != 0 {
		t.Errorf("%d spool files left", len(files))
	}
}

// TestRoutingTemplatedFirstSegment checks that leading segments are still
// tried when a path of the spec starts with a template, which any segment
// matches.
func TestRoutingTemplatedFirstSegment(t *testing.T) {
	spec := `openapi: 3.1.0
info: {title: t, version: "1"}
paths:
  /{tenant}/things:
    post:
      operationId: createThing
      parameters:
        - {in: path, name: tenant, required: true, schema: {type: string, pattern: "^[a-z]+$"}}
      responses:
        "200": {description: OK}
`
	v := newValidator(t, WithSpec([]byte(spec)), WithoutSecurity())
	for _, url := range []string{"http://h/acme/things", "http://h/v1/acme/things", "http://h/a/b/acme/things"} {
		r, _ := http.NewRequest(http.MethodPost, url, nil)
		noError(t, v.ValidateRequest(r))
	}
	r, _ := http.NewRequest(http.MethodPost, "http://h/things", nil)
	if err := v.ValidateRequest(r); !errors.Is(err, ErrNoOperation) {
		t.Errorf("got %v, want ErrNoOperation", err)
	}
}

// TestParameters checks parameters against their schemas, whether
// openapi3filter sees the document as 3.0 (schemas without 3.1-only
// keywords, checked without compiling anything) or as 3.1 (a const).
func TestParameters(t *testing.T) {
	const spec = `openapi: 3.1.0
info: {title: t, version: "1"}
paths:
  /things/{id}:
    get:
      operationId: getThing
      parameters:
        - {in: path, name: id, required: true, schema: {type: string, pattern: "^t_[a-z0-9]+$", maxLength: 12}}
        - {in: query, name: limit, schema: {type: integer, minimum: 1, maximum: 100}}
        - {in: query, name: order, schema: {type: string, enum: [asc, desc]}}
        - {in: query, name: flag, schema: {type: boolean}}
        - {in: header, name: X-Mode, schema: {type: string, EXTRA}}
      responses:
        "200": {description: OK}
`
	for _, extra := range []string{"minLength: 1", "const: fast"} {
		t.Run(extra, func(t *testing.T) {
			v := newValidator(t, WithSpec([]byte(strings.Replace(spec, "EXTRA", extra, 1))), WithoutSecurity())
			route, _, err := v.findRoute(httptestRequest("http://h/things/t_1"))
			noError(t, err)
			if want := strings.HasPrefix(extra, "const"); route.Spec.IsOpenAPI31OrLater() != want {
				t.Fatalf("openapi3filter sees version %s", route.Spec.OpenAPI)
			}
			get := func(url, mode string) error {
				r := httptestRequest(url)
				if mode != "" {
					r.Header.Set("X-Mode", mode)
				}
				return v.ValidateRequest(r)
			}
			noError(t, get("http://h/things/t_abc1?limit=100&order=desc&flag=true", "fast"))
			for _, c := range []struct{ url, in, field string }{
				{"http://h/things/T_1", InPath, "id"},
				{"http://h/things/t_aaaaaaaaaaaaa", InPath, "id"},
				{"http://h/things/t_1?limit=0", InQuery, "limit"},
				{"http://h/things/t_1?limit=ten", InQuery, "limit"},
				{"http://h/things/t_1?order=up", InQuery, "order"},
				{"http://h/things/t_1?flag=maybe", InQuery, "flag"},
			} {
				wantViolation(t, get(c.url, "fast"), c.in, c.field)
			}
			err = get("http://h/things/t_1", "slow")
			if strings.HasPrefix(extra, "const") {
				wantViolation(t, err, InHeader, "X-Mode")
			} else {
				noError(t, err)
			}
		})
	}
}

func httptestRequest(url string) *http.Request {
	r, err := http.NewRequest(http.MethodGet, url, nil)
	if err != nil {
		panic(err)
	}
	return r
}
