package wrapper_test

import (
	"context"
	"encoding/base64"
	"fmt"
	"io"
	"log"
	"net/http"
	"net/http/httptest"
	"time"

	"github.com/imagegen-go/openai-images/imagestest"
	"github.com/imagegen-go/openai-images/wrapper"
)

// An Azure OpenAI resource with a deployment named images running
// gpt-image-1.5 (here the emulator as one; in production the endpoint is
// https://RESOURCE.openai.azure.com, and empty fields come from
// AZURE_OPENAI_ENDPOINT, AZURE_OPENAI_API_KEY and OPENAI_API_VERSION). A
// call's Model names its deployment; DeploymentModels says which model the
// deployment runs, so that its rules are checked before anything is sent.
func ExampleWithAzure() {
	srv := imagestest.NewServer(imagestest.WithAzure(imagestest.Azure{Deployments: map[string]string{"images": "gpt-image-1.5"}}))
	defer srv.Close()

	client, err := wrapper.New(wrapper.WithAzure(wrapper.AzureConfig{
		Endpoint:         srv.Endpoint,
		APIVersion:       "2025-04-01-preview",
		APIKey:           "0123456789abcdef0123456789abcdef",
		DeploymentModels: map[string]wrapper.Model{"images": wrapper.ModelGPTImage15},
	}))
	if err != nil {
		log.Fatal(err)
	}
	ctx := context.Background()
	res, err := client.Generate(ctx, wrapper.GenerateParams{Model: "images", Prompt: "a lighthouse", Size: wrapper.Size1536x1024, Quality: wrapper.QualityLow})
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println(len(res.Data), "image,", res.Size)
	r := srv.Requests()[0]
	fmt.Println(r.Method, r.Path+"?"+r.Query)

	_, err = client.Generate(ctx, wrapper.GenerateParams{Model: "images", Prompt: "a lighthouse", Style: wrapper.StyleVivid})
	fmt.Println(err)
	// Output:
	// 1 image, 1536x1024
	// POST /openai/deployments/images/images/generations?api-version=2025-04-01-preview
	// openai-images: invalid parameters: style=vivid: gpt-image-1.5 (deployment images) does not support style; only dall-e-3 supports style (allowed: omit it)
}

// Microsoft Entra ID tokens instead of a key: the client asks the source
// for a token before its first request, reuses it until 5 minutes before
// it expires, and asks again at once when the resource answers 401. With
// the Azure SDK for Go, the source calls an azidentity credential's
// GetToken with the scope wrapper.AzureScope (see TokenSource).
func ExampleTokenSourceFunc() {
	srv := imagestest.NewServer(imagestest.WithAzure(imagestest.Azure{}))
	defer srv.Close()

	fetched := 0
	tokens := wrapper.TokenSourceFunc(func(ctx context.Context) (wrapper.AccessToken, error) {
		fetched++
		// A stand-in for an Entra ID token (a JWT the emulator accepts).
		tok := "eyJhbGciOiJub25lIn0." + base64.RawURLEncoding.EncodeToString([]byte(`{"aud":"https://cognitiveservices.azure.com"}`)) + ".c2ln"
		return wrapper.AccessToken{Token: tok, ExpiresOn: time.Now().Add(time.Hour)}, nil
	})
	client, err := wrapper.New(wrapper.WithAzure(wrapper.AzureConfig{
		Endpoint: srv.Endpoint, APIVersion: "2025-04-01-preview", TokenSource: tokens,
	}))
	if err != nil {
		log.Fatal(err)
	}
	for range 3 {
		if _, err := client.Generate(context.Background(), wrapper.GenerateParams{Model: wrapper.ModelGPTImage1Mini, Prompt: "a kite", Quality: wrapper.QualityLow}); err != nil {
			log.Fatal(err)
		}
	}
	fmt.Println("3 calls,", fetched, "token fetched")
	// Output:
	// 3 calls, 1 token fetched
}

// WithTokenSource sends bearer tokens to any base URL, such as Azure
// OpenAI's v1 API, which is OpenAI-compatible (no deployment paths, no
// api-version); its calls name the deployment as the model.
func ExampleWithTokenSource() {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		io.Copy(io.Discard, r.Body)
		fmt.Println(r.Method, r.URL.Path, r.Header.Get("Authorization") != "")
		w.Header().Set("Content-Type", "application/json")
		io.WriteString(w, `{"created":1,"data":[{"b64_json":"iVBORw0KGgo="}]}`)
	}))
	defer srv.Close()
	tokens := wrapper.TokenSourceFunc(func(ctx context.Context) (wrapper.AccessToken, error) {
		return wrapper.AccessToken{Token: "a-gateway-token-0123456789", ExpiresOn: time.Now().Add(time.Hour)}, nil
	})
	client, err := wrapper.New(wrapper.WithBaseURL(srv.URL+"/openai/v1"), wrapper.WithTokenSource(tokens))
	if err != nil {
		log.Fatal(err)
	}
	client.Generate(context.Background(), wrapper.GenerateParams{Model: "my-images", Prompt: "a kite"}, wrapper.WithRequestValidation(false))
	// Output:
	// POST /openai/v1/images/generations true
}

// A query parameter an OpenAI-compatible gateway needs on every request,
// beside the base URL's own.
func ExampleWithQuery() {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		io.Copy(io.Discard, r.Body)
		fmt.Println(r.URL.Path, r.URL.RawQuery)
		w.Header().Set("Content-Type", "application/json")
		io.WriteString(w, `{"id":"batch_1","object":"batch","endpoint":"/v1/images/generations","input_file_id":"file-1","completion_window":"24h","status":"completed","created_at":1}`)
	}))
	defer srv.Close()
	client, err := wrapper.New(wrapper.WithBaseURL(srv.URL+"/v1?tenant=acme"), wrapper.WithAPIKey("sk-example"),
		wrapper.WithQuery("region", "eu"))
	if err != nil {
		log.Fatal(err)
	}
	client.RetrieveBatch(context.Background(), "batch_1")
	// Output:
	// /v1/batches/batch_1 region=eu&tenant=acme
}

// On Azure a client checks a call as it would before sending it: by the
// model its deployment runs. A deployment it knows nothing of gets only the
// checks that hold for every model, and its name is never taken for a
// misspelt model's.
func ExampleClient_CheckGenerate() {
	client, err := wrapper.New(wrapper.WithAzure(wrapper.AzureConfig{
		Endpoint: "https://example-resource.openai.azure.com", APIVersion: "2025-04-01-preview",
		APIKey:           "0123456789abcdef0123456789abcdef",
		DeploymentModels: map[string]wrapper.Model{"old-images": wrapper.ModelDallE3},
	}))
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println(client.CheckGenerate(wrapper.GenerateParams{Model: "old-images", Prompt: "two boats", N: 2}, false))
	fmt.Println(client.CheckGenerate(wrapper.GenerateParams{Model: "dalle3", Prompt: "two boats", N: 2}, false))
	fmt.Println(client.CheckGenerate(wrapper.GenerateParams{Prompt: "two boats"}, false))
	// Output:
	// openai-images: invalid parameters: n=2: dall-e-3 (deployment old-images) supports only n=1 (allowed: 1)
	// <nil>
	// openai-images: invalid parameters: model: Azure OpenAI sends each image call to a deployment: name it as the model, or set AzureConfig.Deployment (allowed: the name of a deployment of the resource)
}
