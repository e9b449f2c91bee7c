from typing import Annotated, Optional
import datetime, uuid
from fastapi import FastAPI, Form, Query, HTTPException
from pydantic import BaseModel, EmailStr, Field

app = FastAPI()

@app.post('/api/v1/auth/register', status_code=201)
def register(
    name: Annotated[str, Form(min_length=8, max_length=40)],
    account: Annotated[str, Form(max_length=32)],
    email: Annotated[EmailStr, Form(max_length=255)],
    password: Annotated[str, Form(max_length=1024)],
    password_confirm: Annotated[str, Form(max_length=1024)],
):
    if password != password_confirm:
        raise HTTPException(400, 'Passwords do not match.')
    return {'ok': email}

class RegisterModel(BaseModel):
    name: str = Field(min_length=8, max_length=40)
    account: str = Field(max_length=32)
    email: EmailStr = Field(max_length=255)
    password: str = Field(max_length=1024)
    password_confirm: str = Field(max_length=1024)

@app.post('/formmodel', status_code=201)
def register_model(form: Annotated[RegisterModel, Form()]):
    return {'ok': form.email}

class LoginRequest(BaseModel):
    email: str = Field(max_length=255)
    password: str = Field(max_length=1024)

@app.post('/api/v1/auth/login')
def login(body: LoginRequest):
    return {'ok': 1}

class RefreshTokenRequest(BaseModel):
    refresh_token: str = Field(max_length=512)

@app.post('/api/v1/auth/token')
def token(body: RefreshTokenRequest):
    return {'ok': 1}

class UserUpdate(BaseModel):
    name: str = Field(default=None, min_length=8, max_length=40)
    bio: Optional[str] = Field(default=None, max_length=200)
    dob: Optional[datetime.date] = None
    phone: Optional[str] = Field(default=None, max_length=20)
    avatar_photo_id: Optional[uuid.UUID] = None
    account: str = Field(default=None, min_length=1, max_length=32)

@app.post('/api/v1/user/update')
def update(body: UserUpdate):
    return body.model_dump(exclude_unset=True, mode='json')

@app.get('/api/v1/user/search')
def search(q: Annotated[str, Query(min_length=1, max_length=255)], skip: Annotated[int, Query(ge=0)] = 0, limit: Annotated[int, Query(ge=1, le=100)] = 20):
    return {'q': q, 'skip': skip, 'limit': limit}
