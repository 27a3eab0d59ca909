package imagestest

import (
	"bytes"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"image"
	"io"
	"mime/multipart"
	"net/http"
	"strings"
	"testing"
	"time"
)

const testAzureKey = "0123456789abcdef0123456789abcdef"

type azureAnswer struct {
	status int
	header http.Header
	body   map[string]any
}

func azureDo(t *testing.T, method, url, contentType string, body io.Reader, header map[string]string) azureAnswer {
	t.Helper()
	req, err := http.NewRequest(method, url, body)
	if err != nil {
		t.Fatal(err)
	}
	if contentType != "" {
		req.Header.Set("Content-Type", contentType)
	}
	for k, v := range header {
		req.Header.Set(k, v)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	out := azureAnswer{status: resp.StatusCode, header: resp.Header}
	data, _ := io.ReadAll(resp.Body)
	json.Unmarshal(data, &out.body)
	return out
}

func errorCode(a azureAnswer) string {
	e, _ := a.body["error"].(map[string]any)
	code, _ := e["code"].(string)
	return code
}

func jwt(exp time.Time) string {
	enc := base64.RawURLEncoding.EncodeToString
	return enc([]byte(`{"alg":"none"}`)) + "." + enc([]byte(fmt.Sprintf(`{"exp":%d}`, exp.Unix()))) + ".c2ln"
}

// The emulator answers as an Azure resource: api-version required, the
// api-key header or an Entra ID token, deployments, Azure's error bodies
// and request ids.
func TestAzureShapes(t *testing.T) {
	now := time.Date(2026, 12, 1, 12, 0, 0, 0, time.UTC)
	srv := NewServer(WithAzure(Azure{APIKey: testAzureKey, Deployments: map[string]string{"images": "gpt-image-1.5", "chat": "gpt-5"}}), WithClock(func() time.Time { return now }))
	defer srv.Close()
	gen := `{"prompt":"a lighthouse","model":"dall-e-2","size":"1024x1024","quality":"low"}`
	deployment := srv.Endpoint + "/openai/deployments/images/images/generations"
	key := map[string]string{"api-key": testAzureKey}

	cases := []struct {
		name, method, url string
		header            map[string]string
		status            int
		code              string
	}{
		{"no api-version", "POST", deployment, key, 404, "404"},
		{"OpenAI's path", "POST", srv.Endpoint + "/v1/images/generations?api-version=2025-04-01-preview", key, 404, "404"},
		{"no key", "POST", deployment + "?api-version=2025-04-01-preview", nil, 401, "401"},
		{"wrong key", "POST", deployment + "?api-version=2025-04-01-preview", map[string]string{"api-key": "ffffffffffffffffffffffffffffffff"}, 401, "401"},
		{"unknown deployment", "POST", srv.Endpoint + "/openai/deployments/nope/images/generations?api-version=2025-04-01-preview", key, 404, "DeploymentNotFound"},
		{"unknown operation", "POST", srv.Endpoint + "/openai/deployments/images/chat/completions?api-version=2025-04-01-preview", key, 404, "404"},
		{"OpenAI key as a token", "POST", deployment + "?api-version=2025-04-01-preview", map[string]string{"Authorization": "Bearer sk-proj-abc"}, 401, ""},
		{"expired token", "POST", deployment + "?api-version=2025-04-01-preview", map[string]string{"Authorization": "Bearer " + jwt(now.Add(-time.Minute))}, 401, ""},
		{"valid token", "POST", deployment + "?api-version=2025-04-01-preview", map[string]string{"Authorization": "Bearer " + jwt(now.Add(time.Hour))}, 200, ""},
		{"key", "POST", deployment + "?api-version=2025-04-01-preview", key, 200, ""},
	}
	for _, tc := range cases {
		a := azureDo(t, tc.method, tc.url, "application/json", strings.NewReader(gen), tc.header)
		if a.status != tc.status || errorCode(a) != tc.code {
			t.Errorf("%s: %d %v, want %d %q", tc.name, a.status, a.body, tc.status, tc.code)
		}
		if a.header.Get("apim-request-id") == "" {
			t.Errorf("%s: no apim-request-id", tc.name)
		}
		gateway := a.status == 401 || errorCode(a) == "404" || errorCode(a) == "DeploymentNotFound"
		if gateway == (a.header.Get("x-request-id") != "") {
			t.Errorf("%s: x-request-id %q on a gateway answer: %v", tc.name, a.header.Get("x-request-id"), gateway)
		}
		if tc.status == 401 && tc.code == "" && (a.body["statusCode"] != float64(401) || !strings.Contains(fmt.Sprint(a.body["message"]), "Access token")) {
			t.Errorf("%s: token error body %v", tc.name, a.body)
		}
		if tc.status == 200 {
			// The deployment runs gpt-image-1.5, whatever the body says:
			// GPT image answers carry usage, DALL-E ones do not.
			if _, ok := a.body["usage"]; !ok || a.body["size"] != "1024x1024" {
				t.Errorf("%s: not gpt-image-1.5's answer: %v", tc.name, a.body)
			}
		}
	}
	// The log shows what the client sent, without the key.
	reqs := srv.Requests()
	last := reqs[len(reqs)-1]
	if last.Path != "/openai/deployments/images/images/generations" || last.Query != "api-version=2025-04-01-preview" || last.Header.Get("api-key") != "" || last.Status != 200 {
		t.Errorf("recorded %+v", last)
	}
	if first := reqs[0]; first.RequestID == "" || first.Status != 404 {
		t.Errorf("gateway answer recorded without its apim-request-id: %+v", first)
	}
	// The emulator's own pages stay where they are.
	if a := azureDo(t, "GET", srv.URL+"/emulator/requests", "", nil, nil); a.status != 200 {
		t.Errorf("GET /v1/emulator/requests: %d", a.status)
	}
}

// A multipart edit is run by the deployment's model; its files arrive
// intact through the rewriting of the model part.
func TestAzureMultipartModel(t *testing.T) {
	srv := NewServer(WithAzure(Azure{Deployments: map[string]string{"images": "gpt-image-1.5"}}))
	defer srv.Close()
	var body bytes.Buffer
	mw := multipart.NewWriter(&body)
	mw.WriteField("prompt", "a hat")
	mw.WriteField("model", "dall-e-2")
	mw.WriteField("size", "1536x1024")
	for _, name := range []string{"a.png", "b.png"} {
		fw, _ := mw.CreateFormFile("image[]", name)
		fw.Write(pngBytes(t, image.NewNRGBA(image.Rect(0, 0, 300, 200))))
	}
	mw.Close()
	a := azureDo(t, "POST", srv.Endpoint+"/openai/deployments/images/images/edits?api-version=2025-04-01-preview", mw.FormDataContentType(), &body,
		map[string]string{"api-key": testAzureKey})
	// 1536x1024 is not a dall-e-2 size: the model is gpt-image-1.5's.
	if a.status != 200 || a.body["size"] != "1536x1024" {
		t.Fatalf("%d %v", a.status, a.body)
	}
	reqs := srv.Requests()
	if r := reqs[len(reqs)-1]; len(r.Files) != 2 || r.Files[1].Filename != "b.png" || r.Files[0].Width != 300 || r.Params["model"] != "gpt-image-1.5" {
		t.Errorf("recorded files %+v, params %v", r.Files, r.Params)
	}
}

// The Responses API takes deployments for its model and, through
// x-ms-oai-image-generation-deployment, for the image tool.
func TestAzureResponses(t *testing.T) {
	srv := NewServer(WithAzure(Azure{Deployments: map[string]string{"images": "gpt-image-1-mini", "chat": "gpt-5"}}))
	defer srv.Close()
	url := srv.Endpoint + "/openai/responses?api-version=2025-04-01-preview"
	body := `{"model":"chat","input":"Generate an image: a kite","tools":[{"type":"image_generation","size":"1024x1024","quality":"low"}]}`
	key := map[string]string{"api-key": testAzureKey}
	if a := azureDo(t, "POST", url, "application/json", strings.NewReader(body), key); a.status != 400 || !strings.Contains(fmt.Sprint(a.body), AzureImageDeploymentHeader) {
		t.Errorf("without the header: %d %v", a.status, a.body)
	}
	with := map[string]string{"api-key": testAzureKey, AzureImageDeploymentHeader: "images"}
	a := azureDo(t, "POST", url, "application/json", strings.NewReader(body), with)
	if a.status != 200 || a.body["model"] != "gpt-5" {
		t.Fatalf("%d %v", a.status, a.body)
	}
	id, _ := a.body["id"].(string)
	if g := azureDo(t, "GET", srv.Endpoint+"/openai/responses/"+id+"?api-version=2025-04-01-preview", "", nil, key); g.status != 200 {
		t.Errorf("GET the response: %d", g.status)
	}
	with[AzureImageDeploymentHeader] = "nope"
	if a := azureDo(t, "POST", url, "application/json", strings.NewReader(body), with); a.status != 404 || errorCode(a) != "DeploymentNotFound" {
		t.Errorf("unknown image deployment: %d %v", a.status, a.body)
	}
	if a := azureDo(t, "POST", url, "application/json", strings.NewReader(strings.Replace(body, `"chat"`, `"nope"`, 1)), with); a.status != 404 {
		t.Errorf("unknown model deployment: %d %v", a.status, a.body)
	}
}
