package main

import (
	"fmt"
	"image"
	"image/color"
	"image/draw"
	"image/png"
	"math"
	"os"

	"golang.org/x/image/font"
	"golang.org/x/image/font/basicfont"
	"golang.org/x/image/math/fixed"
)

var palette = []color.RGBA{
	{0, 0, 0, 255}, {220, 50, 32, 255}, {0, 114, 178, 255}, {0, 158, 115, 255}, {230, 159, 0, 255},
}

// plot draws batch cost against N (both on log scales), one panel per
// filesystem, one line per strategy, for batches in one directory.
func (r *results) plot(path string) error {
	const pw, ph, margin = 420, 320, 50
	img := image.NewRGBA(image.Rect(0, 0, 2*pw, 2*ph+30))
	draw.Draw(img, img.Bounds(), image.White, image.Point{}, draw.Src)
	label(img, 10, 18, color.Black, "Cost of a batch of N 4 KiB files (ms, log) against N (log), one directory; lower is better")
	sizes := batchSizes()
	for i, fs := range fsOrder {
		ox, oy := (i%2)*pw, 30+(i/2)*ph
		x0, y0, x1, y1 := ox+margin, oy+ph-margin, ox+pw-20, oy+20
		// The value range of this panel.
		lo, hi := math.Inf(1), math.Inf(-1)
		for _, n := range sizes {
			for _, bv := range batches {
				if c, ok := r.batchCells[fmt.Sprintf("%d/1", n)][bv.name][fs]; ok {
					v := math.Log10(float64(c.med) / 1e6)
					lo, hi = math.Min(lo, v), math.Max(hi, v)
				}
			}
		}
		if math.IsInf(lo, 0) {
			continue
		}
		lo, hi = math.Floor(lo), math.Ceil(hi)
		if hi == lo {
			hi++
		}
		px := func(j int) int { return x0 + j*(x1-x0)/max(1, len(sizes)-1) }
		py := func(v float64) int { return y0 - int((v-lo)/(hi-lo)*float64(y0-y1)) }
		line(img, x0, y0, x1, y0, color.Gray{160})
		line(img, x0, y0, x0, y1, color.Gray{160})
		label(img, ox+pw/2-20, oy+14, color.Black, fs)
		for j, n := range sizes {
			label(img, px(j)-10, y0+16, color.Black, fmt.Sprint(n))
		}
		for e := lo; e <= hi; e++ {
			label(img, ox+5, py(e)+4, color.Black, fmt.Sprintf("%g", math.Pow(10, e)))
		}
		for k, bv := range batches {
			prevX, prevY := -1, -1
			for j, n := range sizes {
				c, ok := r.batchCells[fmt.Sprintf("%d/1", n)][bv.name][fs]
				if !ok {
					continue
				}
				x, y := px(j), py(math.Log10(float64(c.med)/1e6))
				dot(img, x, y, palette[k%len(palette)])
				if prevX >= 0 {
					line(img, prevX, prevY, x, y, palette[k%len(palette)])
				}
				prevX, prevY = x, y
			}
		}
	}
	// The legend, under the title.
	for k, bv := range batches {
		label(img, 10+k*200, 2*ph+24, palette[k%len(palette)], bv.name)
	}
	f, err := os.Create(path)
	if err != nil {
		return err
	}
	defer f.Close()
	return png.Encode(f, img)
}

func label(img *image.RGBA, x, y int, c color.Color, s string) {
	d := &font.Drawer{Dst: img, Src: image.NewUniform(c), Face: basicfont.Face7x13, Dot: fixed.P(x, y)}
	d.DrawString(s)
}

func dot(img *image.RGBA, x, y int, c color.Color) {
	for dx := -2; dx <= 2; dx++ {
		for dy := -2; dy <= 2; dy++ {
			img.Set(x+dx, y+dy, c)
		}
	}
}

func line(img *image.RGBA, x0, y0, x1, y1 int, c color.Color) {
	steps := max(abs(x1-x0), abs(y1-y0), 1)
	for i := 0; i <= steps; i++ {
		img.Set(x0+(x1-x0)*i/steps, y0+(y1-y0)*i/steps, c)
	}
}

func abs(x int) int {
	if x < 0 {
		return -x
	}
	return x
}
