terraform {
  required_version = ">= 1.6.0"

  required_providers {
    digitalocean = {
      source  = "digitalocean/digitalocean"
      version = "~> 2.79"
    }
    kubernetes = {
      source  = "hashicorp/kubernetes"
      version = "~> 2.38"
    }
    tls = {
      source  = "hashicorp/tls"
      version = "~> 4.1"
    }
    random = {
      source  = "hashicorp/random"
      version = "~> 3.7"
    }
  }
}

# Reads DIGITALOCEAN_ACCESS_TOKEN from the environment.
provider "digitalocean" {}

# The context `doctl kubernetes cluster kubeconfig save <cluster>` wrote.
provider "kubernetes" {
  config_path    = var.kubeconfig_path
  config_context = var.kube_context
}
