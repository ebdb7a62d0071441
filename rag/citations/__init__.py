"""Citation checking: an answer's [n] markers, quotations, figures and attribution, checked
against the passages it was given (`check.check`, an ordered list of steps over sentences
parsed once). Pure functions over text: no index, no model."""
