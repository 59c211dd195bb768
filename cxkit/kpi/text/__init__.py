"""Comment text: terms (`tokenise`), who says them (`sides`) and the themes (`themes`).

`cxkit themes FILE` (cxkit/cli/themes.py) ranks the words and two-word phrases one side of a
survey uses more than the other: detractors vs promoters by default. README "Comment themes"
and KPIS.md "Why it moved" give the rules; the stop-word lists are `stopwords_en.txt` and
`stopwords_fr.txt`, written for cxkit.
"""
