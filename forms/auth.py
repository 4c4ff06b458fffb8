from .base import PageForm
from wtforms import EmailField, PasswordField, SubmitField
from wtforms.validators import DataRequired, Email, Length


class LoginForm(PageForm):
    email = EmailField("Email", filters=[lambda value: value.strip() if value else value], validators=[DataRequired("Enter your email address."), Email("Enter a valid email address."), Length(max=254)])
    password = PasswordField("Password", validators=[DataRequired("Enter your password.")])
    submit = SubmitField("Log in")
