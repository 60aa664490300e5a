"""Product endpoints: owners manage (edit token), readers search, editors moderate."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, File, Path, Query, Request, Response, UploadFile
from fastapi.responses import FileResponse

from directory.accounts import owners
from directory.accounts.admins import admin_actor
from directory.api.deps import (
    AdminDep,
    BusinessIdPath,
    EditTokenDep,
    ReadSessionDep,
    SessionDep,
    SessionsDep,
    SettingsDep,
    get_admin,
)
from directory.photos.images import MAX_PHOTO_BYTES
from directory.photos.router import serve_photo
from directory.photos.storage import photo_store
from directory.products import photos, search, service, views
from directory.products.schemas import (
    AdminProductPage,
    OwnerProductList,
    OwnerProductRead,
    ProductCreate,
    ProductHideRequest,
    ProductPage,
    ProductPatch,
    ProductRead,
    ProductRejectRequest,
)
from directory.search.params import MAX_Q_LEN

router = APIRouter(tags=["products"])
admin_router = APIRouter(
    prefix="/admin",
    tags=["moderation"],
    dependencies=[Depends(get_admin)],
    responses={401: {"description": "Missing, unknown or revoked admin token"}},
)

ProductIdPath = Annotated[int, Path(ge=1, le=2**62)]
_OWNER: dict[int | str, dict[str, Any]] = {
    401: {"description": "No token"},
    403: {"description": "Not this business"},
}
_NO_STORE = {"Cache-Control": "no-store"}
_IMAGE: dict[int | str, dict[str, Any]] = {
    200: {"content": {"image/jpeg": {}, "image/png": {}, "image/webp": {}}, "description": "Image"}
}


@router.get(
    "/owner/businesses/{business_id}/products",
    response_model=OwnerProductList,
    tags=["owners"],
    responses=_OWNER,
)
def list_owner_products(
    business_id: BusinessIdPath, token: EditTokenDep, session: SessionDep, response: Response
) -> OwnerProductList:
    """Every product of your business with its moderation status and waiting changes."""
    owners.owned_business(session, business_id, token)
    response.headers.update(_NO_STORE)
    return OwnerProductList(
        items=[
            views.owner_product_read(p) for p in service.list_owner_products(session, business_id)
        ]
    )


@router.post(
    "/owner/businesses/{business_id}/products",
    status_code=201,
    response_model=OwnerProductRead,
    tags=["owners"],
    responses={
        **_OWNER,
        409: {"description": "Too many products"},
        422: {"description": "Bad fields"},
    },
)
def create_product(
    business_id: BusinessIdPath, body: ProductCreate, token: EditTokenDep,
    sessions: SessionsDep, response: Response,
) -> OwnerProductRead:  # fmt: skip
    """List a product or service. It is shown once an editor approves it (`status`)."""
    product = service.create_product(sessions, business_id, token, body.model_dump())
    response.headers["Location"] = f"/api/v1/owner/businesses/{business_id}/products/{product.id}"
    return views.owner_product_read(product)


@router.post(
    "/owner/businesses/{business_id}/products/{product_id}/photo",
    status_code=201,
    response_model=OwnerProductRead,
    tags=["owners"],
    responses={**_OWNER, 413: {"description": "Larger than 5 MB"},
               415: {"description": "Not a JPEG, PNG or WebP image"}},
)  # fmt: skip
def upload_product_photo(
    business_id: BusinessIdPath,
    product_id: ProductIdPath,
    file: Annotated[UploadFile, File(description="A JPEG, PNG or WebP image, at most 5 MB.")],
    token: EditTokenDep,
    sessions: SessionsDep,
    settings: SettingsDep,
) -> OwnerProductRead:
    """Set the product's photo (replaces the earlier one); live at once, editors may hide it."""
    product = photos.set_product_photo(
        sessions, store=photo_store(settings), business_id=business_id, product_id=product_id,
        token=token, data=file.file.read(MAX_PHOTO_BYTES + 1),
    )  # fmt: skip
    return views.owner_product_read(product)


@router.delete(
    "/owner/businesses/{business_id}/products/{product_id}/photo",
    status_code=204,
    tags=["owners"],
    responses=_OWNER,
)
def delete_product_photo(
    business_id: BusinessIdPath, product_id: ProductIdPath, token: EditTokenDep,
    sessions: SessionsDep, settings: SettingsDep,
) -> Response:  # fmt: skip
    """Remove the product's photo."""
    photos.remove_product_photo(
        sessions, store=photo_store(settings), business_id=business_id, product_id=product_id,
        token=token,
    )  # fmt: skip
    return Response(status_code=204)


@router.patch(
    "/owner/businesses/{business_id}/products/{product_id}",
    response_model=OwnerProductRead,
    tags=["owners"],
    responses={**_OWNER, 404: {"description": "Not a product of this business"}},
)
def edit_product(
    business_id: BusinessIdPath, product_id: ProductIdPath, body: ProductPatch,
    token: EditTokenDep, sessions: SessionsDep,
) -> OwnerProductRead:  # fmt: skip
    """Change a product. On a published product, name, description and unit wait for an
    editor (`pending_changes`); price, minimum order and `export_ready` apply at once."""
    fields = {k: getattr(body, k) for k in body.model_fields_set}
    product = service.edit_product(sessions, business_id, token, product_id, fields)
    return views.owner_product_read(product)


@router.delete(
    "/owner/businesses/{business_id}/products/{product_id}",
    status_code=204,
    tags=["owners"],
    responses={**_OWNER, 404: {"description": "Not a product of this business"}},
)
def delete_product(
    business_id: BusinessIdPath, product_id: ProductIdPath, token: EditTokenDep,
    sessions: SessionsDep, settings: SettingsDep,
) -> Response:  # fmt: skip
    """Remove a product (and its photo) for good."""
    from directory.photos import storage

    files = service.delete_product(sessions, business_id, token, product_id)
    storage.delete_files(photo_store(settings), files)
    return Response(status_code=204)


@router.get("/products", response_model=ProductPage, summary="Search products")
def search_products(
    session: ReadSessionDep,
    q: Annotated[
        str | None, Query(max_length=MAX_Q_LEN, description="Free text; typos are tolerated.")
    ] = None,
    area: Annotated[
        str | None, Query(max_length=120, description="Area slug, name, alias or a near miss.")
    ] = None,
    lat: Annotated[float | None, Query(ge=-90, le=90)] = None,
    lon: Annotated[float | None, Query(ge=-180, le=180)] = None,
    limit: Annotated[int, Query(ge=1, le=100)] = 20,
    cursor: Annotated[str | None, Query(max_length=2048)] = None,
) -> ProductPage:
    """Published products of published businesses, across businesses: the same typo,
    word and area rules as business search; `distance_m` when lat/lon are given."""
    return search.search_products(
        session,
        search.ProductQuery(q=q, area=area, lat=lat, lon=lon, limit=limit, cursor=cursor),
    )


@router.get("/products/{product_id}", response_model=ProductRead)
def read_product(product_id: ProductIdPath, session: ReadSessionDep) -> ProductRead:
    """One published product with its business."""
    return views.product_read(service.get_public_product(session, product_id))


@router.get("/products/{product_id}/photo", response_class=FileResponse, responses=_IMAGE)
def product_photo(
    product_id: ProductIdPath, session: ReadSessionDep, settings: SettingsDep, request: Request
) -> Response:
    """The product's photo (revalidate with `If-None-Match`)."""
    photo = photos.public_product_photo(session, product_id)
    return serve_photo(photo, settings, thumbnail=False, public=True, request=request)


@router.get(
    "/products/{product_id}/photo/thumbnail",
    response_class=FileResponse,
    responses=_IMAGE,
)
def product_thumbnail(
    product_id: ProductIdPath, session: ReadSessionDep, settings: SettingsDep, request: Request
) -> Response:
    """The product photo's thumbnail (at most 400 px a side)."""
    photo = photos.public_product_photo(session, product_id)
    return serve_photo(photo, settings, thumbnail=True, public=True, request=request)


@admin_router.get("/products", response_model=AdminProductPage)
def admin_list_products(
    session: SessionDep,
    status: Annotated[
        str | None,
        Query(pattern="^(pending|published|rejected|hidden)$",
              description="Default pending: new products and waiting text changes."),
    ] = "pending",
    limit: Annotated[int, Query(ge=1, le=200)] = 50,
) -> AdminProductPage:  # fmt: skip
    """Products for editors, oldest change first."""
    rows = service.list_for_review(session, status=status, limit=limit)
    return AdminProductPage(items=[views.owner_product_read(p) for p in rows])


@admin_router.get("/products/{product_id}", response_model=OwnerProductRead)
def admin_read_product(product_id: ProductIdPath, session: SessionDep) -> OwnerProductRead:
    """One product, whatever its status, with its waiting changes."""
    return views.owner_product_read(service.get_any_product(session, product_id))


@admin_router.post(
    "/products/{product_id}/approve",
    response_model=OwnerProductRead,
    responses={409: {"description": "Nothing to approve"}},
)
def admin_approve_product(
    product_id: ProductIdPath, admin: AdminDep, sessions: SessionsDep
) -> OwnerProductRead:
    """Publish a product (or its waiting text changes); also brings back a hidden one."""
    return views.owner_product_read(
        service.approve_product(sessions, product_id, actor=admin_actor(admin))
    )


@admin_router.post(
    "/products/{product_id}/reject",
    response_model=OwnerProductRead,
    responses={409: {"description": "Nothing waiting"}},
)
def admin_reject_product(
    product_id: ProductIdPath, body: ProductRejectRequest, admin: AdminDep, sessions: SessionsDep
) -> OwnerProductRead:
    """Refuse a new product or its waiting changes, with a reason the owner reads."""
    return views.owner_product_read(
        service.reject_product(sessions, product_id, actor=admin_actor(admin), reason=body.reason)
    )


@admin_router.post(
    "/products/{product_id}/hide",
    response_model=OwnerProductRead,
    responses={409: {"description": "Hidden already"}},
)
def admin_hide_product(
    product_id: ProductIdPath, body: ProductHideRequest, admin: AdminDep, sessions: SessionsDep
) -> OwnerProductRead:
    """Take a product away from readers (approve brings it back). Its photo alone is
    hidden with `POST /admin/photos/{photo_id}/hide`."""
    return views.owner_product_read(
        service.hide_product(sessions, product_id, actor=admin_actor(admin), reason=body.reason)
    )
