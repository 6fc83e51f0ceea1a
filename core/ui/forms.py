"""A form's errors for a flash message, when the page redirects instead of showing the form."""


def form_errors(form) -> str:
    """A form's errors as one line: "Account number: This field is required." """
    parts = []
    for name, errors in form.errors.items():
        label = form.fields[name].label if name in form.fields else ""
        parts.append(f"{label}: {' '.join(errors)}" if label else " ".join(errors))
    return "; ".join(parts)
