"""One builder per view, three renderers: view model -> rows -> text | HTML | Markdown.

`order` and `explanation` build the rows of a view (`rows`); `text`, `html` and `markdown`
render any rows, so the faces cannot say different things about one view.
"""
