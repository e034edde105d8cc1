"""Every commitment question offers the same way out, "that's it" (review 12g: "Or say
"that's it"" in one prompt and "(a day, or "that's fine")" in the next, on one screen)."""

from dialogs.content_model import Content


def test_every_commitment_prompt_offers_that_s_it_and_never_that_s_fine(content: Content) -> None:
    texts = dict(content.commitments.texts)
    assert not [key for key, text in texts.items() if "that's fine" in text]
    offering = [key for key, text in texts.items() if "or say" in text.lower()]
    assert offering
    assert all("that's it" in texts[key] for key in offering)
    assert "that's it" in texts["date_placeholder"]
