package imagestest

import "net/http"

// routeFilesAndBatches registers the Files and Batches endpoints on mux;
// checked wraps a handler in the contract middleware.
func (e *Emulator) routeFilesAndBatches(mux *http.ServeMux, checked func(http.Handler) http.Handler) {}

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
	id, filename, purpose string
	data                  []byte
	created               int64
}
