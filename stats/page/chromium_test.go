package page

import (
	"bytes"
	"context"
	"image/png"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"
)

func chromiumBin(t *testing.T) string {
	for _, name := range []string{"chromium", "chromium-browser", "google-chrome"} {
		if p, err := exec.LookPath(name); err == nil {
			return p
		}
	}
	t.Skip("chromium not installed (apt-get install chromium)")
	return ""
}

func runChromium(t *testing.T, bin string, args ...string) []byte {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	base := []string{"--headless", "--no-sandbox", "--disable-gpu", "--hide-scrollbars",
		"--user-data-dir=" + t.TempDir(), "--window-size=1500,1000"}
	cmd := exec.CommandContext(ctx, bin, append(base, args...)...)
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("chromium: %v\n%s", err, stderr.String())
	}
	return out
}

// TestChromium opens the page in headless Chromium: the DOM it builds has
// haproxy's column headings for every proxy and the server rows; a
// screenshot is taken (written to docs/stats-page.png with -update).
func TestChromium(t *testing.T) {
	bin := chromiumBin(t)
	h := tutorialHandler(testModel(t))
	h.Config.Users = nil // Chromium cannot answer a Basic challenge headless
	srv := httptest.NewServer(h)
	defer srv.Close()
	url := srv.URL + "/stats;norefresh"

	dom := string(runChromium(t, bin, "--dump-dom", url))
	want := readGolden(t, "columns.txt")
	tables := strings.Split(dom, `<table class="px"`)[1:]
	if len(tables) != 3 {
		t.Fatalf("rendered DOM has %d proxy tables, want 3", len(tables))
	}
	for _, tb := range tables {
		var got []string
		for _, m := range regexp.MustCompile(`<th[^>]*>([^<]+)</th>`).FindAllStringSubmatch(tb, -1) {
			got = append(got, m[1])
		}
		if strings.Join(got, "\n")+"\n" != want {
			t.Errorf("rendered columns %q", got)
		}
	}
	for _, s := range []string{">s1<", ">s2<", ">Frontend<", ">Backend<", "General process information"} {
		if !strings.Contains(dom, s) {
			t.Errorf("rendered DOM lacks %q", s)
		}
	}

	shot := filepath.Join(t.TempDir(), "stats-page.png")
	runChromium(t, bin, "--screenshot="+shot, url)
	f, err := os.Open(shot)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	img, err := png.Decode(f)
	if err != nil {
		t.Fatalf("screenshot: %v", err)
	}
	if b := img.Bounds(); b.Dx() < 1000 || b.Dy() < 500 {
		t.Fatalf("screenshot too small: %v", b)
	}
	// the legend's green (active UP, #c0ffc0) must be painted somewhere
	found := false
	for y := img.Bounds().Min.Y; y < img.Bounds().Max.Y && !found; y += 2 {
		for x := img.Bounds().Min.X; x < img.Bounds().Max.X; x += 2 {
			r, g, b, _ := img.At(x, y).RGBA()
			if r>>8 == 0xc0 && g>>8 == 0xff && b>>8 == 0xc0 {
				found = true
				break
			}
		}
	}
	if !found {
		t.Error("no active-UP green in the screenshot")
	}
	if *update {
		data, _ := os.ReadFile(shot)
		if err := os.WriteFile(filepath.Join("..", "..", "docs", "stats-page.png"), data, 0o644); err != nil {
			t.Fatal(err)
		}
	}
}
