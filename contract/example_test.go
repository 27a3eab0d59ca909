package contract_test

import (
	"fmt"
	"io"
	"log"
	"net/http"
	"net/http/httptest"
	"strings"

	"github.com/imagegen-go/openai-images/contract"
)

func Example() {
	v, err := contract.New()
	if err != nil {
		log.Fatal(err)
	}
	req, _ := http.NewRequest(http.MethodPost, "http://127.0.0.1:8080/v1/images/generations",
		strings.NewReader(`{"prompt": "a sea otter", "n": "two"}`))
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Authorization", "Bearer sk-test")

	fmt.Println(v.ValidateRequest(req))
	// Output: request createImage: body field "n": value must be an integer
}

func ExampleValidator_Middleware() {
	v, err := contract.New()
	if err != nil {
		log.Fatal(err)
	}
	// A fake API whose requests and responses are checked against the spec.
	fake := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		io.WriteString(w, `{"created": 1700000000, "data": [{"b64_json": "iVBORw0KGgo="}]}`)
	})
	srv := httptest.NewServer(v.Middleware(fake))
	defer srv.Close()

	req, _ := http.NewRequest(http.MethodPost, srv.URL+"/v1/images/generations",
		strings.NewReader(`{"prompt": "a sea otter", "n": "two"}`))
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Authorization", "Bearer sk-test")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		log.Fatal(err)
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(resp.Body)
	fmt.Println(resp.StatusCode)
	fmt.Print(string(body))
	fmt.Println(len(v.Violations()), "response violations")
	// Output:
	// 400
	// {"error":{"code":null,"message":"request createImage: body field \"n\": value must be an integer","param":"n","type":"invalid_request_error"}}
	// 0 response violations
}

func ExampleValidator_RoundTripper() {
	v, err := contract.New()
	if err != nil {
		log.Fatal(err)
	}
	// A fake API that gets the response wrong: created must be an integer.
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		io.WriteString(w, `{"created": "yesterday"}`)
	}))
	defer srv.Close()

	client := &http.Client{Transport: v.RoundTripper(nil)}
	req, _ := http.NewRequest(http.MethodPost, srv.URL+"/v1/images/generations", strings.NewReader(`{"prompt": "a sea otter"}`))
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Authorization", "Bearer sk-test")
	_, err = client.Do(req)
	fmt.Println(strings.TrimPrefix(err.Error(), `Post "`+srv.URL+`/v1/images/generations": `))
	// Output: response createImage: body field "created": value must be an integer
}
