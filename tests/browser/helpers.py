"""Steps shared by journeys."""

from playwright.sync_api import Locator, Page

# The password ``tests.factories.UserFactory`` gives every user.
PASSWORD = "correct-horse-battery-9"

LOGIN_PATH = "/accounts/login/"


def log_in_with_form(page: Page, email: str, password: str = PASSWORD) -> None:
    """Open the login page and log in through the form, as a person would.

    Leaves the browser wherever the login form sends it; on a wrong password that is the login
    page again with its error, for the caller to assert on.
    """
    page.goto(LOGIN_PATH)
    page.get_by_label("E-mail").fill(email)
    page.get_by_label("Password").fill(password)
    with page.expect_navigation():
        page.get_by_role("button", name="Log in").click()


def tab_to(page: Page, target: Locator, *, limit: int = 30, backwards: bool = False) -> int:
    """Press Tab (or Shift+Tab) until ``target`` has the focus; return how many presses it took."""
    key = "Shift+Tab" if backwards else "Tab"
    for presses in range(1, limit + 1):
        page.keyboard.press(key)
        if target.evaluate("element => element === document.activeElement"):
            return presses
    raise AssertionError(f"{target} never got the focus in {limit} presses of {key}")


def focus_outline(target: Locator) -> dict:
    """The computed outline of ``target`` (style, width, colour) and whether it is focus-visible."""
    return target.evaluate(
        """element => {
            const style = getComputedStyle(element);
            return {
                style: style.outlineStyle,
                width: style.outlineWidth,
                color: style.outlineColor,
                focusVisible: element.matches(":focus-visible"),
            };
        }"""
    )
