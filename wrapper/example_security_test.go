package wrapper_test

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log"
	"net/http"
	"net/http/httptest"

	"github.com/imagegen-go/openai-images/wrapper"
)

// A gateway that takes its key in an api-key header (as Azure OpenAI does)
// and an api-version query: the header is a credential like the API key,
// so a server quoting it back (here in x-request-id and the error message)
// gets it nowhere, and the base URL's query goes with every request.
func ExampleWithSecretHeader() {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		io.Copy(io.Discard, r.Body)
		key := r.Header.Get("api-key")
		w.Header().Set("Content-Type", "application/json")
		w.Header().Set("x-request-id", "req_"+key)
		w.WriteHeader(http.StatusUnauthorized)
		fmt.Fprintf(w, `{"error":{"message":"key %s has no access to %s?%s","code":"401"}}`, key, r.URL.Path, r.URL.RawQuery)
	}))
	defer srv.Close()
	client, err := wrapper.New(
		wrapper.WithBaseURL(srv.URL+"/openai/deployments/img?api-version=2025-04-01-preview"),
		wrapper.WithSecretHeader("api-key", "0123456789abcdef0123456789abcdef"),
	)
	if err != nil {
		log.Fatal(err)
	}
	_, err = client.Generate(context.Background(), wrapper.GenerateParams{Prompt: "an otter"})
	fmt.Println(err)
	// Output:
	// openai-images: createImage: 401 Unauthorized (401): key [redacted] has no access to /openai/deployments/img/images/generations?api-version=2025-04-01-preview [request req_[redacted]]
}

// Image URLs are fetched under a download policy: by default https only,
// and never a loopback, private or link-local address (such as the cloud
// metadata endpoint) unless the API itself is on one.
func ExampleDownloadPolicy() {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		io.Copy(io.Discard, r.Body)
		w.Header().Set("Content-Type", "application/json")
		io.WriteString(w, `{"created":1,"data":[{"url":"https://169.254.169.254/latest/meta-data/"}]}`)
	}))
	defer srv.Close()
	// The emulator and test servers run on loopback, where everything is
	// allowed; this client states the default policy of a public API.
	client, err := wrapper.New(wrapper.WithBaseURL(srv.URL+"/v1"), wrapper.WithAPIKey("sk-example"),
		wrapper.WithDownloadPolicy(wrapper.DownloadPolicy{}))
	if err != nil {
		log.Fatal(err)
	}
	res, err := client.Generate(context.Background(), wrapper.GenerateParams{Model: wrapper.ModelDallE2, Prompt: "x", ResponseFormat: wrapper.ResponseFormatURL})
	if err != nil {
		log.Fatal(err)
	}
	_, err = res.Data[0].Content(context.Background())
	var blocked *wrapper.DownloadBlockedError
	fmt.Println(errors.As(err, &blocked))
	fmt.Println(err)
	// Output:
	// true
	// openai-images: download: refused to fetch https://169.254.169.254: 169.254.169.254 is a link-local address (cloud metadata endpoints live there)
}

// Every size limit fails with a *TooLargeError that names the option
// raising it.
func ExampleTooLargeError() {
	srv := fakeAPI()
	defer srv.Close()
	client, err := wrapper.New(wrapper.WithBaseURL(srv.URL+"/v1"), wrapper.WithAPIKey("sk-example"),
		wrapper.WithMaxResponseSize(64))
	if err != nil {
		log.Fatal(err)
	}
	_, err = client.Generate(context.Background(), wrapper.GenerateParams{Prompt: "an otter"})
	var tooLarge *wrapper.TooLargeError
	if errors.As(err, &tooLarge) {
		fmt.Println(tooLarge.What, tooLarge.Limit, tooLarge.Option)
	}
	fmt.Println(err)
	// Output:
	// response body 64 WithMaxResponseSize
	// openai-images: createImage: the response body is 147 bytes, over the 64 bytes limit (raise it with WithMaxResponseSize)
}
