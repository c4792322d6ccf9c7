package main

import (
	"fmt"
	"os"

	"gonum.org/v1/plot"
	"gonum.org/v1/plot/plotter"
	"gonum.org/v1/plot/plotutil"
	"gonum.org/v1/plot/vg"
	"gonum.org/v1/plot/vg/draw"
	"gonum.org/v1/plot/vg/vgimg"
)

// plot draws the cost of a batch against N, both on log scales, one panel
// per filesystem, one line per strategy, for batches in one directory.
func (r *results) plot(path string) error {
	const cols, rows = 2, 2
	img := vgimg.New(2*5*vg.Inch, 2*4*vg.Inch)
	dc := draw.New(img)
	tiles := draw.Tiles{Rows: rows, Cols: cols, PadX: vg.Millimeter, PadY: vg.Millimeter,
		PadTop: 2 * vg.Millimeter, PadBottom: 2 * vg.Millimeter, PadLeft: 2 * vg.Millimeter, PadRight: 2 * vg.Millimeter}
	panels := make([][]*plot.Plot, rows)
	for i, fs := range fsOrder {
		p, err := r.batchPlot(fs)
		if err != nil {
			return err
		}
		if panels[i/cols] == nil {
			panels[i/cols] = make([]*plot.Plot, cols)
		}
		panels[i/cols][i%cols] = p
	}
	canvases := plot.Align(panels, tiles, dc)
	for i := range panels {
		for j, p := range panels[i] {
			if p != nil {
				p.Draw(canvases[i][j])
			}
		}
	}
	f, err := os.Create(path)
	if err != nil {
		return err
	}
	if _, err := (vgimg.PngCanvas{Canvas: img}).WriteTo(f); err != nil {
		f.Close()
		return err
	}
	return f.Close()
}

// batchPlot is one filesystem's panel: milliseconds per batch against N.
func (r *results) batchPlot(fs string) (*plot.Plot, error) {
	p := plot.New()
	p.Title.Text = fs + ": a batch of N 4 KiB files, one directory"
	p.X.Label.Text = "N (files)"
	p.Y.Label.Text = "ms per batch"
	p.X.Scale, p.Y.Scale = plot.LogScale{}, plot.LogScale{}
	p.X.Tick.Marker, p.Y.Tick.Marker = plot.LogTicks{Prec: -1}, plot.LogTicks{Prec: -1}
	p.Legend.Top, p.Legend.Left = true, true
	p.Add(plotter.NewGrid())
	for k, bv := range batches {
		var pts plotter.XYs
		for _, n := range batchSizes() {
			if c, ok := r.batchCells[fmt.Sprintf("%d/1", n)][bv.name][fs]; ok {
				pts = append(pts, plotter.XY{X: float64(n), Y: float64(c.med) / 1e6})
			}
		}
		if len(pts) == 0 {
			continue
		}
		l, s, err := plotter.NewLinePoints(pts)
		if err != nil {
			return nil, err
		}
		l.Color, s.Color = plotutil.Color(k), plotutil.Color(k)
		s.Shape = plotutil.Shape(k)
		p.Add(l, s)
		p.Legend.Add(bv.name, l, s)
	}
	return p, nil
}
