package imagestest

import (
	"cmp"
	"encoding/json"
	"errors"
	"net/http"
	"slices"
	"strconv"
	"time"

	"github.com/imagegen-go/openai-images/contract"
)

// routeFilesAndBatches registers the Files and Batches endpoints on mux;
// checked wraps a handler in the contract middleware.
//
// The Files API is emulated as far as the Batch API and JSON edits need it:
// upload (POST /v1/files), retrieve (GET /v1/files/{id}) and download (GET
// /v1/files/{id}/content). Files are kept in memory for the emulator's
// lifetime; an upload can be up to 32 MiB (the emulator's multipart limit).
func (e *Emulator) routeFilesAndBatches(mux *http.ServeMux, checked func(http.Handler) http.Handler) {
	mux.Handle("POST /v1/files", checked(http.HandlerFunc(e.createFile)))
	mux.Handle("GET /v1/files/{file_id}", checked(http.HandlerFunc(e.retrieveFile)))
	mux.HandleFunc("GET /v1/files/{file_id}/content", e.downloadFile)
	mux.HandleFunc("GET /v1/files", e.listFiles)
	e.routeBatches(mux, checked)
}

// fileContent returns the bytes of a file uploaded to the emulator.
func (e *Emulator) fileContent(id string) ([]byte, bool) {
	e.mu.Lock()
	defer e.mu.Unlock()
	f, ok := e.files[id]
	if !ok {
		return nil, false
	}
	return f.data, true
}

type storedFile struct {
	seq                   int // upload order
	id, filename, purpose string
	data                  []byte
	created               int64
	expires               int64 // 0: never
}

// fileObject is the API's File object.
func (f *storedFile) object() map[string]any {
	m := map[string]any{
		"id": f.id, "object": "file", "bytes": len(f.data), "created_at": f.created,
		"filename": f.filename, "purpose": f.purpose, "status": "processed",
	}
	if f.expires != 0 {
		m["expires_at"] = f.expires
	}
	return m
}

// batchFileLifetime is how long batch input and output files live (the
// API's default; the emulator never deletes them).
const batchFileLifetime = 30 * 24 * time.Hour

// storeFile keeps a file and returns it.
func (e *Emulator) storeFile(filename, purpose string, data []byte) *storedFile {
	now := e.now()
	f := &storedFile{id: newID("file"), filename: filename, purpose: purpose, data: data, created: now.Unix()}
	if purpose == "batch" || purpose == "batch_output" {
		f.expires = now.Add(batchFileLifetime).Unix()
	}
	e.mu.Lock()
	f.seq = len(e.files)
	e.files[f.id] = f
	e.mu.Unlock()
	return f
}

// listFiles emulates GET /v1/files: the files newest first (or oldest
// with order=asc), of one purpose if purpose is given.
func (e *Emulator) listFiles(w http.ResponseWriter, r *http.Request) {
	p, ok := readPage(w, r, 10_000, 10_000, true)
	if !ok {
		return
	}
	purpose := r.URL.Query().Get("purpose")
	e.mu.Lock()
	var files []*storedFile
	for _, f := range e.files {
		if purpose == "" || f.purpose == purpose {
			files = append(files, f)
		}
	}
	e.mu.Unlock()
	slices.SortFunc(files, func(a, b *storedFile) int {
		return cmp.Or(cmp.Compare(b.created, a.created), cmp.Compare(b.seq, a.seq))
	})
	writePage(w, p, files, func(f *storedFile) string { return f.id }, (*storedFile).object)
}

func (e *Emulator) lookupFile(id string) (*storedFile, bool) {
	e.mu.Lock()
	defer e.mu.Unlock()
	f, ok := e.files[id]
	return f, ok
}

// createFile emulates POST /v1/files (multipart: purpose, file).
func (e *Emulator) createFile(w http.ResponseWriter, r *http.Request) {
	form, files, ok := parseForm(w, r)
	if !ok {
		return
	}
	var file *formFile
	for i := range files {
		if files[i].field == "file" {
			file = &files[i]
		}
	}
	purpose := form.get("purpose")
	switch {
	case file == nil:
		apiError(w, 400, "invalid_request_error", "file", "missing_required_parameter", "Missing required parameter: 'file'.")
		return
	case purpose == "evals":
		// OpenAIFile.purpose has no "evals": the answer could not be valid.
		apiError(w, 400, "invalid_request_error", "purpose", "unsupported_value", "The emulator does not store files with purpose 'evals'.")
		return
	}
	f := e.storeFile(file.name, purpose, file.data)
	writeJSON(w, f.object())
}

// retrieveFile emulates GET /v1/files/{file_id}.
func (e *Emulator) retrieveFile(w http.ResponseWriter, r *http.Request) {
	f, ok := e.lookupFile(r.PathValue("file_id"))
	if !ok {
		noSuchFile(w, r.PathValue("file_id"))
		return
	}
	writeJSON(w, f.object())
}

// downloadFile emulates GET /v1/files/{file_id}/content. The API sends the
// file's bytes as application/octet-stream, while the spec declares an
// application/json string, so only the request goes through the contract
// check here: the emulator answers as the API does.
func (e *Emulator) downloadFile(w http.ResponseWriter, r *http.Request) {
	if err := e.validator.ValidateRequest(r); err != nil {
		status := http.StatusBadRequest
		switch {
		case errors.Is(err, contract.ErrUnauthorized):
			status = http.StatusUnauthorized
		case errors.Is(err, contract.ErrNoOperation):
			status = http.StatusNotFound
		}
		apiError(w, status, "invalid_request_error", "", "", err.Error())
		return
	}
	f, ok := e.lookupFile(r.PathValue("file_id"))
	if !ok {
		noSuchFile(w, r.PathValue("file_id"))
		return
	}
	w.Header().Set("Content-Type", "application/octet-stream")
	w.Header().Set("Content-Length", strconv.Itoa(len(f.data)))
	w.Header().Set("x-request-id", newID("req"))
	w.Write(f.data)
}

func noSuchFile(w http.ResponseWriter, id string) {
	apiError(w, http.StatusNotFound, "invalid_request_error", "file_id", "", "No such File object: "+id)
}

// writeJSON answers 200 with v.
func writeJSON(w http.ResponseWriter, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("x-request-id", newID("req"))
	json.NewEncoder(w).Encode(v)
}
