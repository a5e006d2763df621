"""Authority settings: branding and help numbers on every page; admin-edited public pages."""

from __future__ import annotations

from app.staff.auth.models import Role

VALID = {
    "name": "Riverside Borough Council",
    "service_name": "Have your say",
    "brand_colour": "#005a30",
    "duty_phone": "0300 999 0000",
    "duty_hours": "24 hours",
    "contact_email": "team@riverside.example",
    "safeguarding_lead_name": "Lee",
    "safeguarding_lead_email": "lee@riverside.example",
    "safeguarding_lead_phone": "0300 1",
    "sms_quiet_start": "21:00",
    "sms_quiet_end": "09:00",
    "timezone": "Europe/London",
}


def test_settings_show_on_every_public_page(logged_in_as, app):
    admin = logged_in_as(Role.ADMIN)
    assert admin.post("/admin/settings", data=VALID).status_code == 302
    public = app.test_client()
    for path in ("/", "/privacy", "/accessibility", "/cookies", "/sign-in", "/missing"):
        page = public.get(path)
        assert "Riverside Borough Council" in page.text, path
        assert "0300 999 0000" in page.text, path
    assert "#005a30" in public.get("/brand.css").text


def test_a_brand_colour_too_pale_for_white_text_is_refused(logged_in_as):
    admin = logged_in_as(Role.ADMIN)
    response = admin.post("/admin/settings", data={**VALID, "brand_colour": "#ffdd00"})
    assert response.status_code == 200
    assert "contrast ratio" in response.text


def test_unknown_time_zone_is_refused(logged_in_as):
    admin = logged_in_as(Role.ADMIN)
    response = admin.post("/admin/settings", data={**VALID, "timezone": "Mars/Olympus"})
    assert "Enter a time zone like Europe/London" in response.text


def test_public_pages_have_starting_text_and_admin_edits_show_safely(logged_in_as, app):
    public = app.test_client()
    assert "Information Commissioner" in public.get("/privacy").text
    assert "WCAG 2.2" in public.get("/accessibility").text
    assert "essential" in public.get("/cookies").text
    admin = logged_in_as(Role.ADMIN)
    admin.post(
        "/admin/settings/pages/privacy",
        data={"text": "## Who we are\nWe are <b>Riverside</b>.\n\n- one\n- two"},
    )
    page = public.get("/privacy").text
    assert '<h2 class="govuk-heading-m">Who we are</h2>' in page
    assert "&lt;b&gt;Riverside&lt;/b&gt;" in page
    assert "<li>one</li><li>two</li>" in page


def test_logo_upload_shows_in_the_header_and_cannot_run_script(logged_in_as, app):
    import io

    admin = logged_in_as(Role.ADMIN)
    svg = b'<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>'
    response = admin.post(
        "/admin/settings/logo",
        data={"logo": (io.BytesIO(svg), "logo.svg", "image/svg+xml")},
        content_type="multipart/form-data",
    )
    assert response.status_code == 302
    served = app.test_client().get("/logo")
    assert served.data == svg
    assert served.headers["Content-Security-Policy"].startswith("default-src 'none'")
    assert 'src="/logo"' in app.test_client().get("/").text


def test_a_print_size_logo_is_made_phone_size(logged_in_as, app):
    """A 2000x500 PNG would cost every care leaver its bytes: it is kept 80 px high."""
    import io

    from PIL import Image

    big = io.BytesIO()
    Image.new("RGB", (2000, 500), (29, 112, 184)).save(big, format="PNG")
    admin = logged_in_as(Role.ADMIN)
    response = admin.post(
        "/admin/settings/logo",
        data={"logo": (io.BytesIO(big.getvalue()), "logo.png", "image/png")},
        content_type="multipart/form-data",
    )
    assert response.status_code == 302
    served = app.test_client().get("/logo")
    with Image.open(io.BytesIO(served.data)) as logo:
        assert logo.size == (320, 80)
    assert len(served.data) < len(big.getvalue())


def test_a_logo_that_is_not_an_image_is_refused(logged_in_as):
    import io

    admin = logged_in_as(Role.ADMIN)
    response = admin.post(
        "/admin/settings/logo",
        data={"logo": (io.BytesIO(b"MZ..."), "virus.exe")},
        content_type="multipart/form-data",
    )
    assert response.status_code == 400
    assert "PNG, JPG or SVG" in response.text


def test_escalation_hours_left_empty_are_saved_as_24_as_the_form_says(logged_in_as, app):
    """The form says "Leave empty for 24". (Was: an empty box was a 500, the field's own
    filter dropped by the base form's control stripping.)"""
    from app.staff.authority.services import get_settings

    admin = logged_in_as(Role.ADMIN)
    assert admin.post("/admin/settings", data={**VALID, "safeguarding_escalate_hours": "48"})
    with app.app_context():
        assert get_settings().safeguarding_escalate_hours == 48
    for empty in ("", "   "):
        response = admin.post(
            "/admin/settings", data={**VALID, "safeguarding_escalate_hours": empty}
        )
        assert response.status_code == 302, (empty, response.status_code)
        with app.app_context():
            assert get_settings().safeguarding_escalate_hours == 24
    refused = admin.post("/admin/settings", data={**VALID, "safeguarding_escalate_hours": "0"})
    assert "Enter a number of hours between 1 and 720" in refused.text
