#!/usr/bin/env python3
"""Opens a SoftmaxKit report in headless Chromium, as a reader would, and checks what it shows.

At each width (1400 and 760 CSS pixels by default): the page does not overflow sideways; every SVG
is rendered with a non-zero size; every plot axis carries at least two tick labels; no text of an
SVG (legends, tick and point labels) is clipped by the SVG's bounds; every link of the table of
contents resolves to a section; every link to a data file names a file that exists. A full-page
screenshot of each width is written to --screenshots. Exit status 1 lists every problem found.

Usage: report-browser-check.py REPORT.html --screenshots DIR [--widths 1400,760]
Needs Selenium (PyPI) and Debian's chromium and chromium-driver.
"""
import argparse
import base64
import pathlib
import sys
import urllib.parse

from selenium import webdriver
from selenium.webdriver.chrome.options import Options
from selenium.webdriver.chrome.service import Service

# Runs in the page; returns what was measured and every problem seen.
CHECKS = r"""
const problems = [];
const root = document.documentElement;
if (root.scrollWidth > window.innerWidth + 1)
  problems.push(`the page overflows sideways: ${root.scrollWidth} px wide in a ${window.innerWidth} px window`);
const svgs = [...document.querySelectorAll('svg')];
let ticks = 0, texts = 0;
svgs.forEach((svg, i) => {
  const first = svg.querySelector('text');
  const name = `SVG ${i + 1} (${first ? first.textContent.trim().slice(0, 60) : 'no text'})`;
  const box = svg.getBoundingClientRect();
  if (!(box.width > 0 && box.height > 0)) problems.push(`${name}: rendered ${box.width} × ${box.height}`);
  const axes = svg.classList.contains('plot') ? ['x-ticks', 'y-ticks']
    : [...svg.querySelectorAll('g[class$="-ticks"]')].map(g => g.getAttribute('class'));
  for (const axis of axes) {
    const g = svg.querySelector(`g.${axis}`);
    const n = g ? [...g.querySelectorAll('text')].filter(t => t.textContent.trim() !== '').length : 0;
    ticks += n;
    if (n < 2) problems.push(`${name}: ${axis} has ${n} tick label(s), fewer than 2`);
  }
  for (const t of svg.querySelectorAll('text')) {
    const b = t.getBoundingClientRect();
    if (b.width === 0 && b.height === 0) continue;
    texts += 1;
    if (b.left < box.left - 0.5 || b.right > box.right + 0.5 || b.top < box.top - 0.5 || b.bottom > box.bottom + 0.5)
      problems.push(`${name}: text '${t.textContent.trim()}' is clipped by the SVG's bounds`);
  }
});
const contents = [...document.querySelectorAll('nav.toc a')];
if (contents.length === 0) problems.push('no table of contents');
for (const a of contents) {
  const id = decodeURIComponent(a.getAttribute('href').replace(/^#/, ''));
  if (!document.getElementById(id)) problems.push(`contents link ${a.getAttribute('href')} resolves to no element`);
}
const data = [...document.querySelectorAll('a[href]')].map(a => a.getAttribute('href')).filter(h => !h.startsWith('#'));
return {problems, svgs: svgs.length, ticks, texts, contents: contents.length, data,
        height: Math.ceil(root.scrollHeight)};
"""


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("report", type=pathlib.Path)
    parser.add_argument("--screenshots", type=pathlib.Path, required=True)
    parser.add_argument("--widths", default="1400,760")
    parser.add_argument("--chromedriver", default="/usr/bin/chromedriver")
    args = parser.parse_args()
    report = args.report.resolve()
    if not report.is_file():
        print(f"report-browser-check: {report}: no such file", file=sys.stderr)
        return 2
    args.screenshots.mkdir(parents=True, exist_ok=True)
    options = Options()
    for flag in ("--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage", "--hide-scrollbars"):
        options.add_argument(flag)
    driver = webdriver.Chrome(service=Service(args.chromedriver), options=options)
    failed = []
    try:
        for width in (int(w) for w in args.widths.split(",")):
            driver.execute_cdp_cmd("Emulation.setDeviceMetricsOverride",
                                   {"width": width, "height": 900, "deviceScaleFactor": 1, "mobile": False})
            driver.get(report.as_uri())
            seen = driver.execute_script(CHECKS)
            for href in seen["data"]:
                target = report.parent / urllib.parse.unquote(href)
                if not target.is_file():
                    seen["problems"].append(f"data link {href} names no file ({target})")
            shot = driver.execute_cdp_cmd("Page.captureScreenshot", {
                "format": "png", "captureBeyondViewport": True,
                "clip": {"x": 0, "y": 0, "width": width, "height": seen["height"], "scale": 1}})
            path = args.screenshots / f"report-{width}.png"
            path.write_bytes(base64.b64decode(shot["data"]))
            print(f"{width} px: {seen['svgs']} SVGs, {seen['ticks']} tick labels, {seen['texts']} SVG texts, "
                  f"{seen['contents']} contents links, {len(seen['data'])} data links; screenshot {path}")
            failed += [f"{width} px: {p}" for p in seen["problems"]]
    finally:
        driver.quit()
    for problem in failed:
        print(f"report-browser-check: {problem}", file=sys.stderr)
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
