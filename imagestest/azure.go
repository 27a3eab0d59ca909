package imagestest

import (
	"bytes"
	"encoding/base64"
	"encoding/json"
	"io"
	"mime"
	"mime/multipart"
	"net/http"
	"strings"
	"time"

	"github.com/imagegen-go/openai-images/wrapper"
)

// Azure makes an emulator answer as an Azure OpenAI resource does
// ([WithAzure]). Its paths, headers and gateway errors are Azure's
// documented ones (MicrosoftDocs/azure-ai-docs, articles/ai-foundry/openai):
//
//   - POST /openai/deployments/{deployment}/images/generations, .../edits
//     and .../variations (how-to/dall-e.md); the deployment's model is the
//     model of the request, whatever its body says;
//   - POST /openai/responses, GET /openai/responses/{id}, the image tool's
//     deployment named by the x-ms-oai-image-generation-deployment header
//     (how-to/responses.md, "Image generation"), and the body's model a
//     deployment too;
//   - /openai/files... and /openai/batches... (how-to/batch.md), each
//     batch line's model a deployment;
//   - every request needs the api-version query: without it the answer is
//     404 {"error":{"code":"404","message":"Resource not found"}}
//     (MicrosoftDocs/azure-docs#114602);
//   - a request authenticates with an api-key header or an
//     "Authorization: Bearer" Microsoft Entra ID token. A wrong or missing
//     key is 401 {"error":{"code":"401","message":"Access denied due to
//     invalid subscription key or wrong API endpoint. ..."}}, a bad token
//     401 {"statusCode":401,"message":"Unauthorized. Access token is
//     missing, invalid, audience is incorrect (...), or have expired."}
//     (as quoted in SciSharp/BotSharp#386 and
//     Azure-Samples/azure-search-openai-demo#458);
//   - an unknown deployment is 404 {"error":{"code":"DeploymentNotFound",
//     ...}};
//   - gateway answers carry apim-request-id (and no x-request-id); the
//     others carry both.
//
// Other paths (the OpenAI API's /v1/...) are 404 Resource not found, except
// the emulator's own pages (/, /v1/emulator/...).
type Azure struct {
	// Deployments maps each deployment's name to the model it runs. When
	// nil, every image model of the wrapper's table, and every Responses
	// API model name (gpt-*, o3, ...), is a deployment named after itself.
	Deployments map[string]string
	// APIKey, when set, is the only key the api-key header may carry;
	// when empty any non-empty key is accepted (but [InvalidAPIKey]).
	APIKey string
	// Token, when set, decides whether a bearer token is valid. When nil,
	// a token must be a JWT (three base64url parts) whose exp claim, if
	// any, is after the emulator's clock: an OpenAI key sent as a bearer
	// token is refused, as Azure refuses it.
	Token func(token string) bool
}

// WithAzure makes the emulator an Azure OpenAI resource: see [Azure]. Point
// a client at the server's root ([Server].Endpoint) as its Azure endpoint.
func WithAzure(a Azure) Option {
	return func(e *Emulator) {
		if a.Deployments != nil {
			m := make(map[string]string, len(a.Deployments))
			for k, v := range a.Deployments {
				m[k] = v
			}
			a.Deployments = m
		}
		e.azure = &a
	}
}

// Azure's answers, as quoted in the sources listed on [Azure].
const (
	azureKeyMessage        = "Access denied due to invalid subscription key or wrong API endpoint. Make sure to provide a valid key for an active subscription and use a correct regional API endpoint for your resource."
	azureTokenMessage      = "Unauthorized. Access token is missing, invalid, audience is incorrect (https://cognitiveservices.azure.com), or have expired."
	azureDeploymentMessage = "The API deployment for this resource does not exist. If you created the deployment within the last 5 minutes, please wait a moment and try again."
	// AzureImageDeploymentHeader names the image deployment of the
	// Responses API's image_generation tool.
	AzureImageDeploymentHeader = "x-ms-oai-image-generation-deployment"
)

// azureGatewayError writes one of Azure's gateway answers: only
// apim-request-id, and the body given.
func azureGatewayError(w http.ResponseWriter, status int, body any) {
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("apim-request-id", newAzureRequestID())
	w.WriteHeader(status)
	json.NewEncoder(w).Encode(body)
}

func azureError(w http.ResponseWriter, status int, code, msg string) {
	azureGatewayError(w, status, map[string]any{"error": map[string]any{"code": code, "message": msg}})
}

func azureNotFound(w http.ResponseWriter) {
	azureError(w, http.StatusNotFound, "404", "Resource not found")
}

// newAzureRequestID is a request id in Azure's form (a UUID).
func newAzureRequestID() string {
	h := newID("x")[2:] // 24 hex digits
	h += newID("x")[2:10]
	return h[0:8] + "-" + h[8:12] + "-" + h[12:16] + "-" + h[16:20] + "-" + h[20:32]
}

// azureModel returns the model a deployment runs.
func (e *Emulator) azureModel(deployment string) (string, bool) {
	if e.azure.Deployments != nil {
		m, ok := e.azure.Deployments[deployment]
		return m, ok
	}
	if _, ok := wrapper.LookupModel(wrapper.Model(deployment)); ok || responsesModel.MatchString(deployment) {
		return deployment, true
	}
	return "", false
}

// azureRequest checks a request to the emulator's Azure face and turns it
// into the request of the OpenAI path that serves it; it writes Azure's
// answer and reports false when the request goes no further.
func (e *Emulator) azureRequest(w http.ResponseWriter, r *http.Request) (*http.Request, bool) {
	p := r.URL.Path
	if !strings.HasPrefix(p, "/openai/") {
		if strings.HasPrefix(p, "/v1/emulator/") {
			return r, true
		}
		azureNotFound(w)
		return nil, false
	}
	q := r.URL.Query()
	if q.Get("api-version") == "" {
		azureNotFound(w)
		return nil, false
	}
	if !e.azureAuthorized(w, r) {
		return nil, false
	}
	rest := strings.TrimPrefix(p, "/openai")
	var target, model string
	switch {
	case strings.HasPrefix(rest, "/deployments/"):
		dep, op, _ := strings.Cut(strings.TrimPrefix(rest, "/deployments/"), "/")
		m, ok := e.azureModel(dep)
		if !ok {
			azureError(w, http.StatusNotFound, "DeploymentNotFound", azureDeploymentMessage)
			return nil, false
		}
		switch op {
		case "images/generations", "images/edits", "images/variations":
			target, model = "/v1/"+op, m
		default:
			azureNotFound(w)
			return nil, false
		}
	case rest == "/responses" || strings.HasPrefix(rest, "/responses/"),
		rest == "/files" || strings.HasPrefix(rest, "/files/"),
		rest == "/batches" || strings.HasPrefix(rest, "/batches/"):
		target = "/v1" + rest
	default:
		azureNotFound(w)
		return nil, false
	}
	q.Del("api-version")
	out := r.Clone(r.Context())
	out.URL.Path, out.URL.RawPath, out.URL.RawQuery = target, "", q.Encode()
	out.RequestURI = out.URL.RequestURI()
	// The request is now the OpenAI API's: Azure's credentials are not
	// checked again.
	out.Header.Del("api-key")
	out.Header.Set("Authorization", "Bearer azure-emulator")
	switch {
	case model != "":
		setBodyModel(out, model)
	case r.Method == http.MethodPost && rest == "/responses":
		if !e.azureResponsesBody(w, out) {
			return nil, false
		}
	}
	return out, true
}

// azureAuthorized checks the api-key header or the bearer token.
func (e *Emulator) azureAuthorized(w http.ResponseWriter, r *http.Request) bool {
	if key, ok := r.Header["Api-Key"]; ok {
		k := strings.TrimSpace(strings.Join(key, ""))
		if k == "" || k == InvalidAPIKey || (e.azure.APIKey != "" && k != e.azure.APIKey) {
			azureError(w, http.StatusUnauthorized, "401", azureKeyMessage)
			return false
		}
		return true
	}
	scheme, tok, _ := strings.Cut(r.Header.Get("Authorization"), " ")
	tok = strings.TrimSpace(tok)
	switch {
	case !strings.EqualFold(scheme, "Bearer") || tok == "":
		azureError(w, http.StatusUnauthorized, "401", azureKeyMessage)
		return false
	case !e.azureTokenValid(tok):
		azureGatewayError(w, http.StatusUnauthorized, map[string]any{"statusCode": 401, "message": azureTokenMessage})
		return false
	}
	return true
}

func (e *Emulator) azureTokenValid(tok string) bool {
	if e.azure.Token != nil {
		return e.azure.Token(tok)
	}
	parts := strings.Split(tok, ".")
	if len(parts) != 3 {
		return false
	}
	payload, err := base64.RawURLEncoding.DecodeString(parts[1])
	if err != nil {
		return false
	}
	var claims struct {
		Exp *float64 `json:"exp"`
	}
	if json.Unmarshal(payload, &claims) != nil {
		return false
	}
	return claims.Exp == nil || e.now().Before(time.Unix(int64(*claims.Exp), 0))
}

// setBodyModel makes the request's body name model: a JSON body's "model"
// field, or a multipart body's "model" part (rewritten as it is read).
func setBodyModel(r *http.Request, model string) {
	mt, params, _ := mime.ParseMediaType(r.Header.Get("Content-Type"))
	switch {
	case mt == "application/json":
		body, err := io.ReadAll(r.Body)
		r.Body.Close()
		var fields map[string]json.RawMessage
		if err == nil && json.Unmarshal(body, &fields) == nil && fields != nil {
			fields["model"], _ = json.Marshal(model)
			body, _ = json.Marshal(fields)
		}
		r.Body, r.ContentLength = io.NopCloser(bytes.NewReader(body)), int64(len(body))
	case mt == "multipart/form-data" && params["boundary"] != "":
		pr, pw := io.Pipe()
		in := multipart.NewReader(r.Body, params["boundary"])
		orig := r.Body
		go func() {
			defer orig.Close()
			pw.CloseWithError(rewriteModelPart(in, pw, params["boundary"], model))
		}()
		r.Body, r.ContentLength = pr, -1
		r.Header.Del("Content-Length")
	}
}

// rewriteModelPart copies a multipart body with its "model" part replaced
// (or added first).
func rewriteModelPart(in *multipart.Reader, out io.Writer, boundary, model string) error {
	mw := multipart.NewWriter(out)
	if err := mw.SetBoundary(boundary); err != nil {
		return err
	}
	if err := mw.WriteField("model", model); err != nil {
		return err
	}
	for {
		part, err := in.NextRawPart()
		if err == io.EOF {
			break
		}
		if err != nil {
			return err
		}
		if part.FormName() == "model" {
			continue
		}
		dst, err := mw.CreatePart(part.Header)
		if err != nil {
			return err
		}
		if _, err := io.Copy(dst, part); err != nil {
			return err
		}
	}
	return mw.Close()
}

// azureResponsesBody maps the deployments of a Responses API request to
// their models: the body's model, and the image_generation tool's from the
// x-ms-oai-image-generation-deployment header.
func (e *Emulator) azureResponsesBody(w http.ResponseWriter, r *http.Request) bool {
	body, err := io.ReadAll(r.Body)
	r.Body.Close()
	r.Body, r.ContentLength = io.NopCloser(bytes.NewReader(body)), int64(len(body))
	var req map[string]json.RawMessage
	if err != nil || json.Unmarshal(body, &req) != nil || req == nil {
		return true // the Responses handler answers a bad body
	}
	var dep string
	if json.Unmarshal(req["model"], &dep) == nil && dep != "" {
		m, ok := e.azureModel(dep)
		if !ok {
			azureError(w, http.StatusNotFound, "DeploymentNotFound", azureDeploymentMessage)
			return false
		}
		req["model"], _ = json.Marshal(m)
	}
	var tools []map[string]json.RawMessage
	if json.Unmarshal(req["tools"], &tools) == nil {
		for _, t := range tools {
			var typ string
			if json.Unmarshal(t["type"], &typ) != nil || typ != "image_generation" {
				continue
			}
			imgDep := r.Header.Get(AzureImageDeploymentHeader)
			if imgDep == "" {
				// Azure's docs require the header; its answer without it
				// is not documented: this is the emulator's wording.
				azureError(w, http.StatusBadRequest, "BadRequest", "The image_generation tool needs the "+AzureImageDeploymentHeader+" header naming an image model deployment.")
				return false
			}
			m, ok := e.azureModel(imgDep)
			if !ok {
				azureError(w, http.StatusNotFound, "DeploymentNotFound", azureDeploymentMessage)
				return false
			}
			t["model"], _ = json.Marshal(m)
		}
		req["tools"], _ = json.Marshal(tools)
	}
	body, _ = json.Marshal(req)
	r.Body, r.ContentLength = io.NopCloser(bytes.NewReader(body)), int64(len(body))
	return true
}

// azureBatchBody maps a batch line's model, a deployment on Azure, to the
// deployment's model.
func (e *Emulator) azureBatchBody(body []byte) []byte {
	if e.azure == nil {
		return body
	}
	var fields map[string]json.RawMessage
	var dep string
	if json.Unmarshal(body, &fields) != nil || json.Unmarshal(fields["model"], &dep) != nil {
		return body
	}
	m, ok := e.azureModel(dep)
	if !ok {
		return body
	}
	fields["model"], _ = json.Marshal(m)
	out, err := json.Marshal(fields)
	if err != nil {
		return body
	}
	return out
}

// azureWriter adds apim-request-id to the emulator's own answers, as
// Azure's carry it beside x-request-id.
type azureWriter struct {
	http.ResponseWriter
	wrote bool
}

func (a *azureWriter) WriteHeader(code int) {
	if !a.wrote {
		a.wrote = true
		if h := a.Header(); h.Get("apim-request-id") == "" {
			h.Set("apim-request-id", newAzureRequestID())
		}
	}
	a.ResponseWriter.WriteHeader(code)
}

func (a *azureWriter) Write(p []byte) (int, error) {
	if !a.wrote {
		a.WriteHeader(http.StatusOK)
	}
	return a.ResponseWriter.Write(p)
}

func (a *azureWriter) Flush() {
	if !a.wrote {
		a.WriteHeader(http.StatusOK)
	}
	http.NewResponseController(a.ResponseWriter).Flush()
}

func (a *azureWriter) Unwrap() http.ResponseWriter { return a.ResponseWriter }
