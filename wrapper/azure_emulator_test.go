package wrapper_test

import (
	"bytes"
	"context"
	"encoding/base64"
	"errors"
	"fmt"
	"image"
	"image/png"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/imagegen-go/openai-images/imagestest"
	"github.com/imagegen-go/openai-images/wrapper"
)

const emuAzureKey = "0123456789abcdef0123456789abcdef"

// azureEmulator starts the emulator as an Azure resource with these
// deployments.
func azureEmulator(t *testing.T, a imagestest.Azure) *imagestest.Server {
	t.Helper()
	srv := imagestest.NewServer(imagestest.WithAzure(a))
	t.Cleanup(func() {
		srv.Close()
		for _, v := range srv.Violations() {
			t.Errorf("emulator response broke the spec: %v", v)
		}
	})
	return srv
}

func azureClient(t *testing.T, srv *imagestest.Server, a wrapper.AzureConfig, opts ...wrapper.Option) *wrapper.Client {
	t.Helper()
	a.Endpoint = srv.Endpoint
	a.APIVersion = "2025-04-01-preview"
	if a.TokenSource == nil && a.APIKey == "" {
		a.APIKey = emuAzureKey
	}
	c, err := wrapper.New(append([]wrapper.Option{wrapper.WithAzure(a)}, opts...)...)
	if err != nil {
		t.Fatal(err)
	}
	return c
}

func pngImage(t *testing.T, w, h int, transparent bool) []byte {
	t.Helper()
	img := image.NewNRGBA(image.Rect(0, 0, w, h))
	for i := range img.Pix {
		img.Pix[i] = 200
	}
	if transparent {
		for y := h / 4; y < h/2; y++ {
			for x := w / 4; x < w/2; x++ {
				img.Pix[img.PixOffset(x, y)+3] = 0
			}
		}
	}
	var buf bytes.Buffer
	png.Encode(&buf, img)
	return buf.Bytes()
}

// Every call of the library works against the emulator as an Azure
// resource, through deployments whose names are not their models'.
func TestAzureAgainstEmulator(t *testing.T) {
	t.Parallel()
	srv := azureEmulator(t, imagestest.Azure{APIKey: emuAzureKey, Deployments: map[string]string{
		"images": "gpt-image-1.5", "mini": "gpt-image-1-mini", "legacy": "dall-e-2", "chat": "gpt-5", "batch": "gpt-image-1-mini",
	}})
	c := azureClient(t, srv, wrapper.AzureConfig{DeploymentModels: map[string]wrapper.Model{
		"images": wrapper.ModelGPTImage15, "mini": wrapper.ModelGPTImage1Mini, "legacy": wrapper.ModelDallE2,
	}})
	ctx := context.Background()
	dir := t.TempDir()

	res, err := c.Generate(ctx, wrapper.GenerateParams{Model: "images", Prompt: "a lighthouse", Size: wrapper.Size1536x1024, Quality: wrapper.QualityLow})
	if err != nil {
		t.Fatal(err)
	}
	img, _, err := res.Data[0].Decode(ctx)
	if err != nil || img.Bounds().Dx() != 1536 || img.Bounds().Dy() != 1024 {
		t.Fatalf("generated image: %v %v", img.Bounds(), err)
	}

	stream, err := c.GenerateStream(ctx, wrapper.GenerateParams{Model: "mini", Prompt: "a boat", PartialImages: wrapper.Ptr(2)})
	if err != nil {
		t.Fatal(err)
	}
	files, err := stream.WriteFiles(dir, "boat", nil)
	if err != nil || len(files) != 3 {
		t.Fatalf("stream: %v %v", files, err)
	}

	src := pngImage(t, 256, 256, false)
	mask := wrapper.ImageFromBytes("mask.png", pngImage(t, 256, 256, true))
	edit, err := c.Edit(ctx, wrapper.EditParams{Model: "images", Prompt: "both in a basket", Mask: &mask,
		Images: []wrapper.Image{wrapper.ImageFromBytes("a.png", src), wrapper.ImageFromBytes("b.png", pngImage(t, 256, 256, false))}})
	if err != nil {
		t.Fatal(err)
	}
	if edit.Data[0].B64JSON == "" {
		t.Fatal("edit returned no image")
	}
	ref := "data:image/png;base64," + base64.StdEncoding.EncodeToString(src)
	if _, err := c.Edit(ctx, wrapper.EditParams{Model: "mini", Prompt: "a hat", ImageRefs: []wrapper.ImageRef{wrapper.ImageURL(ref)}}); err != nil {
		t.Fatalf("JSON edit: %v", err)
	}
	es, err := c.EditStream(ctx, wrapper.EditParams{Model: "images", Prompt: "a hat", Images: []wrapper.Image{wrapper.ImageFromBytes("a.png", src)}, PartialImages: wrapper.Ptr(1)})
	if err != nil {
		t.Fatal(err)
	}
	if files, err := es.WriteFiles(dir, "edit", nil); err != nil || len(files) != 2 {
		t.Fatalf("edit stream: %v %v", files, err)
	}
	// dall-e-2: retired by OpenAI and by Azure, but sent to Azure unless
	// WithRetiredModels(false); the emulator still serves it.
	if _, err := c.Vary(ctx, wrapper.VaryParams{Model: "legacy", Image: wrapper.ImageFromBytes("a.png", src), Size: wrapper.Size256x256}); err != nil {
		t.Fatalf("variation: %v", err)
	}

	session := c.NewEditSession("chat", wrapper.ImageTool{Model: "images", Size: wrapper.Size1024x1024})
	if _, err := session.Create(ctx, "Generate an image: a red car"); err != nil {
		t.Fatal(err)
	}
	turn, err := session.Edit(ctx, "Edit the image: make it blue")
	if err != nil {
		t.Fatal(err)
	}
	if _, ok := turn.Image(); !ok {
		t.Fatal("session turn without an image")
	}

	items := []wrapper.BatchItem{
		{ID: "one", Generate: &wrapper.GenerateParams{Model: "batch", Prompt: "a kite", Size: wrapper.Size1024x1024}},
		{ID: "two", Generate: &wrapper.GenerateParams{Model: "batch", Prompt: "a fox", Size: wrapper.Size1024x1024}},
	}
	b, err := c.SubmitBatch(ctx, items, wrapper.SubmitBatchOptions{})
	if err != nil {
		t.Fatal(err)
	}
	b, err = c.WaitBatch(ctx, b.ID, wrapper.WaitBatchOptions{PollInterval: 10 * time.Millisecond})
	if err != nil || b.Err() != nil {
		t.Fatalf("batch: %v %v", err, b.Err())
	}
	out, err := c.DownloadBatchResults(ctx, b, filepath.Join(dir, "batch"))
	if err != nil || out.Succeeded != 2 {
		t.Fatalf("batch results: %+v %v", out, err)
	}

	// What the emulator saw: Azure's paths, with api-version, and never
	// the key in its log.
	for _, r := range srv.Requests() {
		if !strings.HasPrefix(r.Path, "/openai/") {
			continue
		}
		if r.Query != "api-version=2025-04-01-preview" || r.Status >= 300 {
			t.Errorf("%s %s?%s: %d", r.Method, r.Path, r.Query, r.Status)
		}
		if strings.HasPrefix(r.Path, "/openai/responses") && r.Header.Get("x-ms-oai-image-generation-deployment") != "images" {
			t.Errorf("%s without the image deployment header", r.Path)
		}
		for k, v := range r.Header {
			if strings.Contains(strings.Join(v, ""), emuAzureKey) {
				t.Errorf("key recorded in header %s", k)
			}
		}
	}
}

// Azure's errors reach the caller typed: a wrong key, an unknown
// deployment, a parameter the deployment's model does not take.
func TestAzureEmulatorErrors(t *testing.T) {
	t.Parallel()
	srv := azureEmulator(t, imagestest.Azure{APIKey: emuAzureKey})
	ctx := context.Background()

	bad := azureClient(t, srv, wrapper.AzureConfig{APIKey: "ffffffffffffffffffffffffffffffff"})
	_, err := bad.Generate(ctx, wrapper.GenerateParams{Model: "gpt-image-1.5", Prompt: "x"})
	var apiErr *wrapper.APIError
	if !errors.As(err, &apiErr) || apiErr.StatusCode != 401 || apiErr.Code != "401" || !strings.Contains(apiErr.Message, "Access denied") || apiErr.RequestID == "" {
		t.Errorf("wrong key: %v", err)
	}

	c := azureClient(t, srv, wrapper.AzureConfig{})
	_, err = c.Generate(ctx, wrapper.GenerateParams{Model: "nope", Prompt: "x"})
	if !errors.As(err, &apiErr) || apiErr.StatusCode != 404 || apiErr.Code != "DeploymentNotFound" {
		t.Errorf("unknown deployment: %v", err)
	}
	// Checked by the deployment's model (named after it) before sending.
	_, err = c.Generate(ctx, wrapper.GenerateParams{Model: "gpt-image-1.5", Prompt: "x", Style: wrapper.StyleVivid})
	var ve *wrapper.ValidationError
	if !errors.As(err, &ve) {
		t.Errorf("style on gpt-image-1.5: %v", err)
	}
	// With validation off, the emulator answers as the API would.
	_, err = c.Generate(ctx, wrapper.GenerateParams{Model: "gpt-image-1.5", Prompt: "x", Style: wrapper.StyleVivid}, wrapper.WithRequestValidation(false))
	if !errors.As(err, &apiErr) || apiErr.StatusCode != 400 {
		t.Errorf("style on gpt-image-1.5, unchecked: %v", err)
	}
}

// A Microsoft Entra ID token that expires is replaced before it does, and
// one the resource refuses is replaced at once.
func TestAzureEmulatorEntraTokens(t *testing.T) {
	t.Parallel()
	var mu sync.Mutex
	refused := map[string]bool{}
	srv := azureEmulator(t, imagestest.Azure{Token: func(tok string) bool {
		mu.Lock()
		defer mu.Unlock()
		return strings.HasPrefix(tok, "eyJ") && !refused[tok]
	}})
	n := 0
	var issued []string
	src := wrapper.TokenSourceFunc(func(ctx context.Context) (wrapper.AccessToken, error) {
		mu.Lock()
		defer mu.Unlock()
		n++
		claims := base64.RawURLEncoding.EncodeToString([]byte(fmt.Sprintf(`{"aud":"https://cognitiveservices.azure.com","n":%d}`, n)))
		tok := "eyJhbGciOiJub25lIn0." + claims + ".c2ln"
		issued = append(issued, tok)
		return wrapper.AccessToken{Token: tok, ExpiresOn: time.Now().Add(time.Hour)}, nil
	})
	c := azureClient(t, srv, wrapper.AzureConfig{TokenSource: src})
	ctx := context.Background()
	for range 3 {
		if _, err := c.Generate(ctx, wrapper.GenerateParams{Model: "gpt-image-1-mini", Prompt: "x", Quality: wrapper.QualityLow}); err != nil {
			t.Fatal(err)
		}
	}
	mu.Lock()
	refused[issued[0]] = true
	mu.Unlock()
	if _, err := c.Generate(ctx, wrapper.GenerateParams{Model: "gpt-image-1-mini", Prompt: "x", Quality: wrapper.QualityLow}); err != nil {
		t.Fatalf("after the token was refused: %v", err)
	}
	var statuses []int
	for _, r := range srv.Requests() {
		statuses = append(statuses, r.Status)
	}
	if n != 2 || fmt.Sprint(statuses) != "[200 200 200 401 200]" {
		t.Errorf("%d tokens fetched, statuses %v", n, statuses)
	}
	// An OpenAI key sent as a bearer token is not an Entra ID token.
	srvDefault := azureEmulator(t, imagestest.Azure{})
	wrong := azureClient(t, srvDefault, wrapper.AzureConfig{TokenSource: wrapper.TokenSourceFunc(func(context.Context) (wrapper.AccessToken, error) {
		return wrapper.AccessToken{Token: "sk-proj-not-an-entra-token"}, nil
	})})
	_, err := wrong.Generate(ctx, wrapper.GenerateParams{Model: "gpt-image-1-mini", Prompt: "x"})
	var apiErr *wrapper.APIError
	if !errors.As(err, &apiErr) || apiErr.StatusCode != 401 || !strings.Contains(apiErr.Message, "Access token is missing") {
		t.Errorf("OpenAI key as a token: %v", err)
	}
	if strings.Contains(err.Error(), "sk-proj-not-an-entra-token") {
		t.Error("token in the error")
	}
}
