package wrapper

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"slices"
	"strings"

	"github.com/imagegen-go/openai-images/gen"
)

// Azure OpenAI serves the Images API per deployment: a resource (endpoint)
// holds named deployments, each running one model, and every request
// carries an api-version query. The shapes below are Azure's documented
// ones (MicrosoftDocs/azure-ai-docs, articles/ai-foundry/openai):
//
//	POST {endpoint}/openai/deployments/{deployment}/images/generations?api-version=V  (how-to/dall-e.md)
//	POST {endpoint}/openai/deployments/{deployment}/images/edits?api-version=V        (how-to/dall-e.md; multipart, image[])
//	POST {endpoint}/openai/responses?api-version=V                                    (api-version-lifecycle.md)
//	     with x-ms-oai-image-generation-deployment: {image deployment}                (how-to/responses.md, "Image generation")
//	POST {endpoint}/openai/files?api-version=V, /openai/batches?api-version=V           (how-to/batch.md; the body's
//	     "model" is the Global Batch deployment, the same on every line)
//
// Requests carry "api-key: KEY", or "Authorization: Bearer TOKEN" with a
// Microsoft Entra ID token (scope [AzureScope]).

// AzureConfig configures a client for Azure OpenAI ([WithAzure]). Empty
// fields are read from the environment variables the official SDKs read.
type AzureConfig struct {
	// Endpoint is the resource's URL, such as
	// https://my-resource.openai.azure.com (AZURE_OPENAI_ENDPOINT). A
	// path before /openai, as an API gateway in front of Azure adds, is
	// kept; a trailing /openai is allowed.
	Endpoint string
	// APIVersion is the api-version query sent with every request, such
	// as 2025-04-01-preview (OPENAI_API_VERSION).
	APIVersion string
	// APIKey is sent as the api-key header (AZURE_OPENAI_API_KEY) and
	// scrubbed like any credential. Give it or TokenSource, not both.
	APIKey string
	// TokenSource supplies Microsoft Entra ID tokens, sent as
	// "Authorization: Bearer" (see [TokenSource]). When set, the key
	// from the environment is not used.
	TokenSource TokenSource
	// Deployment, when set, is the deployment every image call goes to,
	// whatever its Model (and the deployment of the image tool of
	// Responses API sessions). When empty, a call's Model is its
	// deployment's name, as in the official SDKs.
	Deployment string
	// DeploymentModels says which model each deployment runs, so that
	// validation applies that model's rules: Azure deployments have names
	// of their own ("images-prod"). A call whose deployment is not listed
	// is checked by the rules of its Model when Model is a model of the
	// table (a deployment named after its model, or Deployment set with
	// Model naming the model); otherwise only by the rules that hold for
	// every model.
	DeploymentModels map[string]Model
}

// WithAzure sends every request to Azure OpenAI as Azure shapes it: image
// generations, edits (multipart and JSON), variations and their streams to
// {endpoint}/openai/deployments/{deployment}/..., the Responses API
// (sessions), files and batches to {endpoint}/openai/..., each with the
// api-version query, authenticated by the api-key header or an Entra ID
// token. A session names its image tool's deployment (ImageTool.Model, or
// Deployment) in the x-ms-oai-image-generation-deployment header, and in
// the tool the model that deployment runs, when known; a batch names its
// deployment as every line's model. It cannot be combined with [WithBaseURL], [WithAPIKey] or
// [WithTokenSource] (the config has its own fields); OPENAI_BASE_URL,
// OPENAI_API_KEY, OPENAI_ORG_ID and OPENAI_PROJECT_ID are not read.
//
// Validation applies the model table to the model a deployment runs (see
// [AzureConfig].DeploymentModels); OpenAI's retirements of its own models
// do not apply to Azure, whose schedule ([ModelInfo].AzureRetirement) is its
// own: retired models are sent unless [WithRetiredModels](false).
func WithAzure(a AzureConfig) Option {
	return func(c *config) error {
		if c.azureIn != nil {
			return errors.New("WithAzure: given twice")
		}
		a.DeploymentModels = cloneMap(a.DeploymentModels)
		c.azureIn = &a
		return nil
	}
}

func cloneMap[K comparable, V any](m map[K]V) map[K]V {
	if m == nil {
		return nil
	}
	out := make(map[K]V, len(m))
	for k, v := range m {
		out[k] = v
	}
	return out
}

// azureConfig is a client's Azure mode, set up by New.
type azureConfig struct {
	apiVersion string
	deployment string
	models     map[string]Model
	// root is the base URL's path, ending in /openai: deployment paths
	// are inserted after it.
	root string
}

// setupAzure checks the Azure config and turns it into the client's base
// URL, credentials and routing. Errors never quote the endpoint, key or
// token.
func (cfg *config) setupAzure() error {
	a := *cfg.azureIn
	switch {
	case cfg.baseURLSet:
		return errors.New("WithAzure: give the resource as AzureConfig.Endpoint, not WithBaseURL too")
	case cfg.apiKeySet:
		return errors.New("WithAzure: give the key as AzureConfig.APIKey (sent as api-key), not WithAPIKey")
	}
	keyExplicit := a.APIKey != ""
	if a.Endpoint == "" {
		a.Endpoint = envOr("AZURE_OPENAI_ENDPOINT", "")
	}
	if a.APIVersion == "" {
		a.APIVersion = envOr("OPENAI_API_VERSION", "")
	}
	if a.TokenSource == nil {
		a.TokenSource = cfg.tokenSource
	}
	if a.APIKey == "" && a.TokenSource == nil {
		a.APIKey = envOr("AZURE_OPENAI_API_KEY", "")
	}
	a.APIVersion = strings.TrimSpace(a.APIVersion)
	switch {
	case strings.TrimSpace(a.Endpoint) == "":
		return errors.New("WithAzure: no endpoint: set AzureConfig.Endpoint or AZURE_OPENAI_ENDPOINT (https://RESOURCE.openai.azure.com)")
	case a.APIVersion == "":
		return errors.New("WithAzure: no API version: set AzureConfig.APIVersion or OPENAI_API_VERSION (such as 2025-04-01-preview)")
	case strings.ContainsFunc(a.APIVersion, isControlOrSpace):
		return errors.New("WithAzure: the API version contains a space or control character")
	case keyExplicit && a.TokenSource != nil:
		return errors.New("WithAzure: give APIKey or TokenSource, not both")
	case a.APIKey == "" && a.TokenSource == nil:
		return errors.New("WithAzure: no credentials: set AzureConfig.APIKey, AZURE_OPENAI_API_KEY or AzureConfig.TokenSource (Microsoft Entra ID)")
	case strings.ContainsAny(a.APIKey, "\r\n"):
		return errors.New("WithAzure: the API key contains a line break")
	}
	u, err := parseAzureEndpoint(a.Endpoint)
	if err != nil {
		return fmt.Errorf("WithAzure: endpoint: %w", err)
	}
	if a.Deployment != "" {
		if err := checkDeploymentName(a.Deployment); err != nil {
			return fmt.Errorf("WithAzure: Deployment: %w", err)
		}
	}
	for name, model := range a.DeploymentModels {
		if err := checkDeploymentName(name); err != nil {
			return fmt.Errorf("WithAzure: DeploymentModels: %w", err)
		}
		if model == "" {
			return fmt.Errorf("WithAzure: DeploymentModels: deployment %q: empty model", name)
		}
	}
	q := url.Values{}
	for k, vs := range cfg.query {
		if strings.EqualFold(k, "api-version") {
			return errors.New("WithAzure: give the API version as AzureConfig.APIVersion, not WithQuery")
		}
		q[k] = vs
	}
	q.Set("api-version", a.APIVersion)
	u.RawQuery = q.Encode()
	cfg.baseURL = u.String()
	cfg.query = nil
	cfg.apiKey = a.APIKey
	cfg.tokenSource = a.TokenSource
	if !cfg.orgSet {
		cfg.organization = ""
	}
	if !cfg.projectSet {
		cfg.project = ""
	}
	cfg.azure = &azureConfig{apiVersion: a.APIVersion, deployment: a.Deployment, models: a.DeploymentModels, root: u.Path}
	return nil
}

func isControlOrSpace(r rune) bool { return r <= ' ' || r == 0x7f }

// parseAzureEndpoint checks an Azure endpoint and returns the base URL of
// its API: the endpoint's path (a gateway's prefix, if any) with /openai.
func parseAzureEndpoint(endpoint string) (*url.URL, error) {
	u, err := parseBaseURL(strings.TrimSpace(endpoint))
	if err != nil {
		return nil, err
	}
	if u.RawQuery != "" || u.ForceQuery {
		return nil, errors.New("an Azure endpoint has no query: set the API version as AzureConfig.APIVersion, other parameters with WithQuery")
	}
	segs := strings.Split(strings.Trim(u.Path, "/"), "/")
	if slices.Contains(segs, "deployments") {
		return nil, errors.New("give the resource's endpoint (https://RESOURCE.openai.azure.com), without /openai/deployments/NAME: set the deployment as AzureConfig.Deployment, or as each call's Model")
	}
	if n := len(segs); n >= 2 && segs[n-2] == "openai" && segs[n-1] == "v1" {
		return nil, errors.New("this is Azure's v1 API, which is OpenAI-compatible: use WithBaseURL with it (and WithAPIKey or WithTokenSource) instead of WithAzure")
	}
	p := strings.TrimRight(u.Path, "/")
	p = strings.TrimSuffix(p, "/openai")
	u.Path = p + "/openai"
	u.RawPath = ""
	return u, nil
}

// checkDeploymentName refuses deployment names that cannot be one path
// segment. Its errors quote the name: a deployment name is not a secret.
func checkDeploymentName(name string) error {
	switch {
	case strings.TrimSpace(name) == "":
		return errors.New("empty deployment name")
	case name == "." || name == "..":
		return fmt.Errorf("%q is not a deployment name", name)
	case strings.ContainsAny(name, "/\\?#") || strings.ContainsFunc(name, isControlOrSpace):
		return fmt.Errorf("deployment name %q contains a character that cannot be in a URL path segment (/, \\, ?, #, a space or a control character)", name)
	}
	return nil
}

// deploymentFor returns the deployment a call with this model goes to: the
// configured one, else the model's name.
func (a *azureConfig) deploymentFor(model Model) string {
	if a.deployment != "" {
		return a.deployment
	}
	return string(model)
}

// modelFor returns the model a call's deployment runs, as far as the client
// knows ("" when it does not): the deployment's entry in DeploymentModels,
// else the call's Model when the table knows it.
func (a *azureConfig) modelFor(model Model) Model {
	if m, ok := a.models[a.deploymentFor(model)]; ok {
		return m
	}
	if lookupModel(model) != nil {
		return model
	}
	return ""
}

// route resolves the deployment of an image call, or fails before anything
// is sent when there is none.
func (a *azureConfig) route(model Model, field string) (string, error) {
	dep := a.deploymentFor(model)
	if dep == "" {
		return "", &ValidationError{Problems: []Problem{{
			Field: field, Rule: "Azure OpenAI sends each image call to a deployment: name it as the model, or set AzureConfig.Deployment",
			Allowed: "the name of a deployment of the resource",
		}}}
	}
	if err := checkDeploymentName(dep); err != nil {
		return "", &ValidationError{Problems: []Problem{{Field: field, Value: dep, Rule: err.Error(), Allowed: "the name of a deployment of the resource"}}}
	}
	return dep, nil
}

// pathEditor inserts /deployments/{dep} after the API root of a request's
// path: /openai/images/edits becomes /openai/deployments/{dep}/images/edits.
func (a *azureConfig) pathEditor(dep string) gen.RequestEditorFn {
	return func(_ context.Context, req *http.Request) error {
		rest, ok := strings.CutPrefix(req.URL.Path, a.root)
		if !ok {
			return fmt.Errorf("request path outside the Azure API root")
		}
		req.URL.Path = a.root + "/deployments/" + dep + rest
		req.URL.RawPath = ""
		return nil
	}
}

// azureImageDeploymentHeader names the image deployment the Responses API's
// image_generation tool uses on Azure. Source: azure-ai-docs
// articles/ai-foundry/openai/how-to/responses.md, "Image generation":
// default_headers={"x-ms-oai-image-generation-deployment":"YOUR-GPT-IMAGE1-DEPLOYMENT-NAME"}.
const azureImageDeploymentHeader = "x-ms-oai-image-generation-deployment"
