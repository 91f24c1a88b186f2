"""Page: sign in (the only page before signing in)."""

from dashboard import auth

if __name__ == "__main__":
    auth.sign_in_form()
