"""A statement shown in its sentence, with content, cue and source marked from their stored offsets."""

from __future__ import annotations

from dashboard.page_text import as_text

# How much article text to show around the statement's spans, at most, on each side.
CONTEXT_CHARS = 160
SPAN_CLASSES = {"content": "#fff3b0", "cue": "#c7e9ff", "source": "#d6f5d6"}


def marked_sentence(text: str, spans: dict[str, tuple[int | None, int | None]]) -> str:
    """HTML of the text around `spans` (name → (start, end) offsets into `text`), each span in a <mark>
    titled by its name, on one line. The text goes through `as_text`, so an article can inject neither
    HTML nor Markdown: it has no blank line that would end the HTML block and turn Markdown back on."""
    found = sorted((start, end, name) for name, (start, end) in spans.items()
                   if start is not None and end is not None and 0 <= start < end <= len(text))
    if not found:
        return ""
    begin = _sentence_start(text, max(0, found[0][0] - CONTEXT_CHARS), found[0][0])
    finish = _sentence_end(text, max(end for _s, end, _n in found), min(len(text), max(end for _s, end, _n in found) + CONTEXT_CHARS))
    parts, at = [], begin
    for start, end, name in found:
        if start < at:  # overlaps the span before it: that one is shown
            continue
        parts.append(as_text(text[at:start]))
        parts.append(f'<mark title="{name}" style="background:{SPAN_CLASSES.get(name, "#eee")}">{as_text(text[start:end])}</mark>')
        at = end
    parts.append(as_text(text[at:finish]))
    return ("…" if begin > 0 else "") + "".join(parts) + ("…" if finish < len(text) else "")


def _sentence_start(text: str, floor: int, start: int) -> int:
    for index in range(start - 1, floor - 1, -1):
        if text[index] == "\n" or (text[index] in ".!?" and index + 1 < len(text) and text[index + 1] == " "):
            return index + 1 if text[index] == "\n" else index + 2
    return floor


def _sentence_end(text: str, end: int, ceiling: int) -> int:
    for index in range(end, ceiling):
        if text[index] == "\n":
            return index
        if text[index] in ".!?" and (index + 1 == len(text) or text[index + 1] in " \n\"”'’"):
            return index + 1 if index + 1 == len(text) or text[index + 1] in " \n" else index + 2
    return ceiling
