"""The care leavers' forum and "you said, we did": members, meetings and attendance, what young
people said, the actions taken on it, and the public page that tells them what changed.

Two blueprints: ``forum`` (staff pages under /staff/...) and ``ysyd`` (the public page, no
sign-in, at /you-said-we-did).
"""
