terraform {
  required_version = ">= 1.6.0"

  required_providers {
    digitalocean = {
      source  = "digitalocean/digitalocean"
      version = "~> 2.79"
    }
  }

  # Keep state remote and encrypted for a real deployment, e.g. a DigitalOcean Spaces bucket through
  # the s3 backend (see README.md). Local state is the default so that `terraform init` works anywhere.
}

# Reads DIGITALOCEAN_ACCESS_TOKEN from the environment.
provider "digitalocean" {}
