package imagestest

import (
	"bytes"
	"encoding/json"
	"image"
	"mime/multipart"
	"net/http"
	"net/http/httptest"
	"net/url"
	"slices"
	"strings"
	"testing"
	"testing/synctest"
	"time"
)

// inMemory serves requests with e directly: no sockets, so batches run in
// synctest bubbles on the fake clock.
type inMemory struct {
	t *testing.T
	e *Emulator
}

func newInMemory(t *testing.T, opts ...Option) inMemory {
	t.Helper()
	e, err := New(opts...)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		for _, v := range e.Violations() {
			t.Errorf("emulator response broke the spec: %v", v)
		}
	})
	return inMemory{t, e}
}

// call sends a request and decodes a JSON answer into out (if not nil).
func (m inMemory) call(method, path, contentType string, body []byte, out any) *httptest.ResponseRecorder {
	m.t.Helper()
	req := httptest.NewRequest(method, "http://emulator.test"+path, bytes.NewReader(body))
	req.Header.Set("Authorization", "Bearer sk-emulator")
	if contentType != "" {
		req.Header.Set("Content-Type", contentType)
	}
	rec := httptest.NewRecorder()
	m.e.ServeHTTP(rec, req)
	if out != nil && rec.Code == http.StatusOK {
		if err := json.Unmarshal(rec.Body.Bytes(), out); err != nil {
			m.t.Fatalf("%s %s: %v: %s", method, path, err, rec.Body)
		}
	}
	return rec
}

func (m inMemory) upload(purpose, name string, data []byte) (*httptest.ResponseRecorder, map[string]any) {
	m.t.Helper()
	var buf bytes.Buffer
	mw := multipart.NewWriter(&buf)
	if purpose != "" {
		mw.WriteField("purpose", purpose)
	}
	if name != "" {
		fw, _ := mw.CreateFormFile("file", name)
		fw.Write(data)
	}
	mw.Close()
	var f map[string]any
	rec := m.call("POST", "/v1/files", mw.FormDataContentType(), buf.Bytes(), &f)
	return rec, f
}

type batchObject struct {
	ID            string `json:"id"`
	Status        string `json:"status"`
	OutputFileID  string `json:"output_file_id"`
	ErrorFileID   string `json:"error_file_id"`
	InProgressAt  int64  `json:"in_progress_at"`
	CompletedAt   int64  `json:"completed_at"`
	CancelledAt   int64  `json:"cancelled_at"`
	RequestCounts struct {
		Total, Completed, Failed int
	} `json:"request_counts"`
	Errors *struct {
		Data []struct {
			Code string `json:"code"`
			Line int    `json:"line"`
		} `json:"data"`
	} `json:"errors"`
}

func (m inMemory) createBatch(fileID, endpoint string) (*httptest.ResponseRecorder, batchObject) {
	m.t.Helper()
	var b batchObject
	body := `{"input_file_id":"` + fileID + `","endpoint":"` + endpoint + `","completion_window":"24h","metadata":{"k":"v"}}`
	rec := m.call("POST", "/v1/batches", "application/json", []byte(body), &b)
	return rec, b
}

func (m inMemory) batch(id string) batchObject {
	m.t.Helper()
	var b batchObject
	if rec := m.call("GET", "/v1/batches/"+id, "", nil, &b); rec.Code != 200 {
		m.t.Fatalf("retrieve %s: %d %s", id, rec.Code, rec.Body)
	}
	return b
}

// outputLine is a line of an output or error file.
type outputLine struct {
	ID       string `json:"id"`
	CustomID string `json:"custom_id"`
	Response struct {
		StatusCode int             `json:"status_code"`
		RequestID  string          `json:"request_id"`
		Body       json.RawMessage `json:"body"`
	} `json:"response"`
}

func (m inMemory) lines(fileID string) []outputLine {
	m.t.Helper()
	rec := m.call("GET", "/v1/files/"+fileID+"/content", "", nil, nil)
	if rec.Code != 200 {
		m.t.Fatalf("download %s: %d", fileID, rec.Code)
	}
	var out []outputLine
	dec := json.NewDecoder(rec.Body)
	for dec.More() {
		var l outputLine
		if err := dec.Decode(&l); err != nil {
			m.t.Fatal(err)
		}
		out = append(out, l)
	}
	return out
}

func TestFilesAPI(t *testing.T) {
	m := newInMemory(t)
	data := []byte("any bytes\n")
	rec, f := m.upload("user_data", "notes.txt", data)
	if rec.Code != 200 || f["object"] != "file" || f["purpose"] != "user_data" || f["bytes"] != float64(len(data)) || f["filename"] != "notes.txt" {
		t.Fatalf("upload: %d %v", rec.Code, f)
	}
	id := f["id"].(string)
	var got map[string]any
	if rec := m.call("GET", "/v1/files/"+id, "", nil, &got); rec.Code != 200 || got["id"] != id || got["status"] != "processed" {
		t.Errorf("retrieve: %d %v", rec.Code, got)
	}
	rec = m.call("GET", "/v1/files/"+id+"/content", "", nil, nil)
	if rec.Code != 200 || !bytes.Equal(rec.Body.Bytes(), data) || rec.Header().Get("Content-Type") != "application/octet-stream" {
		t.Errorf("download: %d %q %q", rec.Code, rec.Header().Get("Content-Type"), rec.Body)
	}
	// A batch input file expires after 30 days.
	if _, bf := m.upload("batch", "in.jsonl", data); bf["expires_at"] == nil {
		t.Errorf("batch file without expires_at: %v", bf)
	}
	for name, c := range map[string]struct {
		rec    *httptest.ResponseRecorder
		status int
	}{
		"retrieve unknown": {m.call("GET", "/v1/files/file-nope", "", nil, nil), 404},
		"download unknown": {m.call("GET", "/v1/files/file-nope/content", "", nil, nil), 404},
		"no file":          {first(m.upload("batch", "", nil)), 400},
		"no purpose":       {first(m.upload("", "a.txt", data)), 400},
		"bad purpose":      {first(m.upload("pictures", "a.txt", data)), 400},
		"evals":            {first(m.upload("evals", "a.txt", data)), 400},
	} {
		if c.rec.Code != c.status || !strings.Contains(c.rec.Body.String(), `"error"`) {
			t.Errorf("%s: %d %s, want %d", name, c.rec.Code, c.rec.Body, c.status)
		}
	}
	req := httptest.NewRequest("GET", "/v1/files/"+id+"/content", nil)
	rec = httptest.NewRecorder()
	m.e.ServeHTTP(rec, req)
	if rec.Code != 401 {
		t.Errorf("download without a key: %d", rec.Code)
	}
}

func first[A, B any](a A, _ B) A { return a }

const goodLine = `{"custom_id":"%s","method":"POST","url":"/v1/images/generations","body":{"prompt":"%s","model":"gpt-image-2","size":"256x256"}}`

func line(id, prompt string) string {
	return strings.Replace(strings.Replace(goodLine, "%s", id, 1), "%s", prompt, 1)
}

func TestBatchLifecycle(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		// Line d asks for a URL answer, which only the retired DALL-E
		// models give.
		m := newInMemory(t, WithBatchDelay(5*time.Second), AllowRetiredModels())
		input := strings.Join([]string{
			line("a", "an otter"),
			// n over the spec's maximum: the contract check rejects it.
			`{"custom_id":"b","method":"POST","url":"/v1/images/generations","body":{"prompt":"x","n":20}}`,
			// The model table rejects dall-e-3 with n 2.
			`{"custom_id":"c","method":"POST","url":"/v1/images/generations","body":{"prompt":"x","model":"dall-e-3","n":2}}`,
			// A URL answer points at the emulator as the client reached it.
			`{"custom_id":"d","method":"POST","url":"/v1/images/generations","body":{"prompt":"a fox","size":"256x256"}}`,
		}, "\n") + "\n"
		_, f := m.upload("batch", "in.jsonl", []byte(input))
		rec, b := m.createBatch(f["id"].(string), "/v1/images/generations")
		if rec.Code != 200 || b.Status != "validating" {
			t.Fatalf("create: %d %s", rec.Code, rec.Body)
		}
		start := time.Now()
		var statuses []string
		for b.Status != "completed" {
			time.Sleep(time.Second)
			b = m.batch(b.ID)
			if len(statuses) == 0 || statuses[len(statuses)-1] != b.Status {
				statuses = append(statuses, b.Status)
			}
			if time.Since(start) > time.Minute {
				t.Fatalf("not completed after a minute: %+v", b)
			}
		}
		if want := []string{"validating", "in_progress", "finalizing", "completed"}; !slices.Equal(statuses, want) {
			t.Errorf("statuses %v, want %v", statuses, want)
		}
		if b.RequestCounts.Total != 4 || b.RequestCounts.Completed != 2 || b.RequestCounts.Failed != 2 || b.InProgressAt == 0 || b.CompletedAt-b.InProgressAt != 10 {
			t.Errorf("batch: %+v", b)
		}
		out := m.lines(b.OutputFileID)
		errs := m.lines(b.ErrorFileID)
		ids := func(ls []outputLine) []string {
			var s []string
			for _, l := range ls {
				s = append(s, l.CustomID)
			}
			slices.Sort(s)
			return s
		}
		if !slices.Equal(ids(out), []string{"a", "d"}) || !slices.Equal(ids(errs), []string{"b", "c"}) {
			t.Fatalf("output %v, errors %v", ids(out), ids(errs))
		}
		for _, l := range append(out, errs...) {
			if !strings.HasPrefix(l.ID, "batch_req_") || l.Response.RequestID == "" {
				t.Errorf("line %+v", l)
			}
		}
		for _, l := range out {
			var r struct {
				Data []struct {
					B64 string `json:"b64_json"`
					URL string `json:"url"`
				} `json:"data"`
			}
			json.Unmarshal(l.Response.Body, &r)
			switch l.CustomID {
			case "a":
				if len(r.Data) != 1 || r.Data[0].B64 == "" {
					t.Errorf("a: %s", l.Response.Body)
				}
			case "d":
				u, err := url.Parse(r.Data[0].URL)
				if err != nil || u.Host != "emulator.test" {
					t.Fatalf("d: url %q", r.Data[0].URL)
				}
				img := m.call("GET", u.Path, "", nil, nil)
				if cfg, _, err := image.DecodeConfig(img.Body); err != nil || cfg.Width != 256 {
					t.Errorf("d: the URL serves %v %v", cfg, err)
				}
			}
		}
		for _, l := range errs {
			var e struct {
				Error struct{ Message, Param string } `json:"error"`
			}
			json.Unmarshal(l.Response.Body, &e)
			if l.Response.StatusCode != 400 || e.Error.Param != "n" {
				t.Errorf("%s: %d %s", l.CustomID, l.Response.StatusCode, l.Response.Body)
			}
		}
		// Batch requests are not recorded as requests of their own.
		for _, r := range m.e.Requests() {
			if strings.HasPrefix(r.Path, "/v1/images/generations") {
				t.Errorf("recorded %s %s", r.Method, r.Path)
			}
		}
	})
}

func TestBatchInputValidation(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		m := newInMemory(t)
		input := line("a", "x") + "\n" +
			line("a", "y") + "\n" + // duplicate
			`{"custom_id":"c","method":"GET","url":"/v1/images/generations","body":{}}` + "\n" +
			"\n" + // blank lines are fine
			`{"custom_id":"d","method":"POST","url":"/v1/images/edits","body":{}}` + "\n" +
			`{"method":"POST","url":"/v1/images/generations","body":{}}` + "\n" +
			`{"custom_id":"f","method":"POST","url":"/v1/images/generations","body":"x"}` + "\n" +
			"{not json\n"
		_, f := m.upload("batch", "in.jsonl", []byte(input))
		_, b := m.createBatch(f["id"].(string), "/v1/images/generations")
		synctest.Wait()
		b = m.batch(b.ID)
		if b.Status != "failed" || b.Errors == nil {
			t.Fatalf("batch %+v", b)
		}
		var got []string
		for _, e := range b.Errors.Data {
			got = append(got, e.Code)
		}
		want := []string{"duplicate_custom_id", "invalid_method", "mismatched_endpoint", "missing_custom_id", "invalid_body", "invalid_json_line"}
		if !slices.Equal(got, want) || b.Errors.Data[0].Line != 2 || b.Errors.Data[5].Line != 8 {
			t.Errorf("errors %+v, want codes %v", b.Errors.Data, want)
		}

		_, f = m.upload("batch", "empty.jsonl", []byte("\n"))
		_, b = m.createBatch(f["id"].(string), "/v1/images/generations")
		synctest.Wait()
		if b = m.batch(b.ID); b.Status != "failed" || b.Errors.Data[0].Code != "empty_file" || b.Errors.Data[0].Line != 0 {
			t.Errorf("empty file: %+v", b)
		}
	})
}

func TestBatchCreateRejects(t *testing.T) {
	m := newInMemory(t)
	_, batchFile := m.upload("batch", "in.jsonl", []byte(line("a", "x")))
	_, other := m.upload("user_data", "in.jsonl", []byte(line("a", "x")))
	for name, c := range map[string]struct {
		file, endpoint string
	}{
		"unknown file":  {"file-nope", "/v1/images/generations"},
		"wrong purpose": {other["id"].(string), "/v1/images/generations"},
		"not images":    {batchFile["id"].(string), "/v1/chat/completions"},
		"unknown":       {batchFile["id"].(string), "/v1/images/variations"},
	} {
		if rec, _ := m.createBatch(c.file, c.endpoint); rec.Code != 400 {
			t.Errorf("%s: %d %s", name, rec.Code, rec.Body)
		}
	}
	if rec := m.call("POST", "/v1/batches", "application/json", []byte(`{"input_file_id":"x","endpoint":"/v1/images/generations","completion_window":"1h"}`), nil); rec.Code != 400 {
		t.Errorf("completion window 1h: %d", rec.Code)
	}
	if rec := m.call("GET", "/v1/batches/batch_nope", "", nil, nil); rec.Code != 404 {
		t.Errorf("retrieve unknown: %d", rec.Code)
	}
	if rec := m.call("POST", "/v1/batches/batch_nope/cancel", "", nil, nil); rec.Code != 404 {
		t.Errorf("cancel unknown: %d", rec.Code)
	}
}

func TestBatchCancel(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		m := newInMemory(t, WithBatchDelay(10*time.Second))
		_, f := m.upload("batch", "in.jsonl", []byte(line("a", "x")+"\n"+line("b", "y")+"\n"))
		id := f["id"].(string)

		// Cancelled while validating: nothing runs.
		_, b := m.createBatch(id, "/v1/images/generations")
		var c batchObject
		if rec := m.call("POST", "/v1/batches/"+b.ID+"/cancel", "", nil, &c); rec.Code != 200 || c.Status != "cancelling" {
			t.Fatalf("cancel: %d %s", rec.Code, rec.Body)
		}
		synctest.Wait()
		if b = m.batch(b.ID); b.Status != "cancelled" || b.CancelledAt == 0 || b.OutputFileID != "" || b.RequestCounts.Total != 0 {
			t.Errorf("cancelled while validating: %+v", b)
		}
		if rec := m.call("POST", "/v1/batches/"+b.ID+"/cancel", "", nil, nil); rec.Code != 400 {
			t.Errorf("cancel of a cancelled batch: %d", rec.Code)
		}

		// Cancelled in progress: what is done is kept.
		_, b = m.createBatch(id, "/v1/images/generations")
		time.Sleep(15 * time.Second)
		if b = m.batch(b.ID); b.Status != "in_progress" || b.RequestCounts.Completed != 2 {
			t.Fatalf("after 15 s: %+v", b)
		}
		m.call("POST", "/v1/batches/"+b.ID+"/cancel", "", nil, nil)
		synctest.Wait()
		if b = m.batch(b.ID); b.Status != "cancelled" || b.OutputFileID == "" || len(m.lines(b.OutputFileID)) != 2 {
			t.Errorf("cancelled in progress: %+v", b)
		}
	})
}
